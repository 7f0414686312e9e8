"""One module per rule; ``helpers.lint.registry`` lists them. Codes: DO + category digit + number."""
