"""What an attacker could use in an image, measured from the image itself (no registry needed).

``checks/`` holds one small module per check, registered in ``checks.CHECKS``; ``scan`` runs
them over a saved image and adds OS package exposure (``os_fixes``), an SBOM (``sbom``) and
external scanners where they can run (``scanners``); ``score`` grades the result and
``export`` writes it as JSON or SARIF.
"""
