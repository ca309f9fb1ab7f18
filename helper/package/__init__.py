"""Evidence packages: complaint drafts (drafts.py), export (export.py: zip + manifest + PDF report + RFC 3161
timestamp), verify-package (verify_package.py), the chain anchor (anchor.py) and the case view (case.py).

Import what you need from its module: this file imports none of them, so a command that verifies a package or
the store does not pay for loading the export and report code (what `witness` start-up costs)."""
