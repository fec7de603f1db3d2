import sys

from ganlab.cli import main

sys.exit(main())
