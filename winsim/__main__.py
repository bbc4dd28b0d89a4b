import sys

from winsim.cli import main

sys.exit(main())
