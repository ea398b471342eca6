"""Production settings: `invoke preview`, `invoke publish`.

Everything not set here comes from pelicanconf.
"""

import os
from pathlib import Path

from pelican.settings import get_settings_from_file

# Everything pelicanconf.py sets, read by path (so no folder has to be on sys.path).
globals().update(get_settings_from_file(str(Path(__file__).with_name("pelicanconf.py"))))

# The SITEURL environment variable wins, so CI can publish the same tree to staging and production.
# (An empty variable, as CI sets for an unset one, counts as unset.)
SITEURL = (os.environ.get("SITEURL") or "https://signal-and-reach.example.com").rstrip("/")
RELATIVE_URLS = False

# Scheduled articles stay out of production until their date.
WITH_FUTURE_DATES = False
# Pelican treats them as drafts; no draft (article or page) is written or linked in production.
# plugins/scheduling also removes drafts before other plugins see them; these are the backstop.
DRAFT_URL = DRAFT_SAVE_AS = DRAFT_LANG_URL = DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_URL = DRAFT_PAGE_SAVE_AS = DRAFT_PAGE_LANG_URL = DRAFT_PAGE_LANG_SAVE_AS = ""

DELETE_OUTPUT_DIRECTORY = True

# Where `invoke deploy` and `invoke publish` put output/ (README, "Deploy"): "s3://bucket/site",
# "rsync://user@host:/var/www/blog" or "gh-pages". The DEPLOY_TARGET environment variable wins.
DEPLOY_TARGET = ""
# With an S3 target the promotion ledger travels with the site (an object in the bucket, written
# conditionally), so publishing from fresh CI machines never announces twice.
_deploy_target = os.environ.get("DEPLOY_TARGET") or DEPLOY_TARGET
PROMOTE_LEDGER = "bucket" if _deploy_target.startswith("s3://") else "sqlite"

# Networks `invoke promote` announces new articles on, e.g. ["mastodon", "bluesky"]; their
# tokens come from the environment or .env. docs/networks/ has one page per network.
PROMOTE_NETWORKS = []
