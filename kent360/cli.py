"""The ``kent360`` command: Django's management commands under the project's own name.

``kent360 run`` serves web + worker, ``kent360 demo`` loads the demo municipality,
``kent360 migrate``, ``kent360 createsuperuser`` … behave as with manage.py.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kent360.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kent360", *sys.argv[1:]])


if __name__ == "__main__":
    main()
