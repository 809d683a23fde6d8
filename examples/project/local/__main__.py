"""``python -m examples.project.local {install,start,serve,stop,status} ...``"""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
