"""Server settings of the learner's lab (`make lab`, JUPYTER_CONFIG_PATH), loaded before its extensions.

The learner's lab runs in the workspace folder, so that a terminal opened in it starts there (where `./check`
and the notebooks are). Python's path then holds the course's repository, not the workspace (the Makefile starts
the server with `python -P`): the server extension tools.lab_server and the grader it runs are always the course's
own, whatever the workspace holds.
"""

import os
import sys

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPOSITORY not in sys.path:
    sys.path.insert(0, REPOSITORY)
