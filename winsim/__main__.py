import sys

from winsim.serve import main

sys.exit(main())
