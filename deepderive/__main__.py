"""`python -m deepderive`: the command line."""
from .cli import main

raise SystemExit(main())
