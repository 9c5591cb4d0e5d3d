"""`python -m slm_guardian.cli`."""

from slm_guardian.cli import main

main()
