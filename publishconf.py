"""Production settings: `invoke preview`, `invoke publish`. Everything not set here comes from pelicanconf."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

# The SITEURL environment variable wins, so CI can publish the same tree to staging and production.
SITEURL = os.environ.get("SITEURL", "https://signal-and-reach.example.com").rstrip("/")
RELATIVE_URLS = False

# Scheduled articles stay out of production until their date.
WITH_FUTURE_DATES = False

DELETE_OUTPUT_DIRECTORY = True
