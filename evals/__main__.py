"""`python -m evals` is `python -m evals.run`."""

from evals.run import main

raise SystemExit(main())
