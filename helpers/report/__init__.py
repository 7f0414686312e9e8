"""The report: papermill runs the phase notebooks, nbconvert renders them, an index links them."""
