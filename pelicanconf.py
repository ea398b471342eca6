"""Development settings: `invoke build` / `invoke serve`.

Production overrides live in publishconf.py.
"""

from pathlib import Path

from self_promoting_blog.promote.networks import metadata_keys

AUTHOR = "Maya Lindqvist"
SITENAME = "Signal & Reach"
SITESUBTITLE = "Content and social-media marketing that earns its audience"
SITEURL = ""
SITE_DESCRIPTION = (
    "Practical, evidence-minded writing on content marketing and social media: "
    "what earns shares, which networks pay off, and the metrics that matter."
)

PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
# An article without `Category:` goes to DEFAULT_CATEGORY (content_check warns), not to a
# category named after its folder ("articles").
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "Notes"

TIMEZONE = "Europe/Stockholm"
DEFAULT_LANG = "en"
LOCALE = ("en_US.UTF-8", "C.UTF-8", "")
DEFAULT_DATE_FORMAT = "%-d %B %Y"

THEME = "theme"
# Writers' titles, tags and summaries reach the templates as plain text: escape them. The theme
# marks the HTML Pelican renders from Markdown (content, summary) with |safe explicitly.
# auto_reload off: each build makes a new environment anyway, and checking every included
# template's file for changes on every page cost ~14,000 stat calls per 1,000 articles.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True,
                     "auto_reload": False}
DIRECT_TEMPLATES = ["index", "categories", "tags", "archives", "authors", "subscribe", "404"]
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None, "author": None}
DEFAULT_PAGINATION = 6

ARTICLE_URL = "articles/{slug}/"
ARTICLE_SAVE_AS = "articles/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
ARCHIVES_SAVE_AS = "archives/index.html"
CATEGORIES_SAVE_AS = "categories/index.html"
TAGS_SAVE_AS = "tags/index.html"
AUTHORS_SAVE_AS = "authors/index.html"
# The human page behind the footer's Subscribe link (theme/templates/subscribe.html).
SUBSCRIBE_SAVE_AS = "subscribe/index.html"
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# The dev build shows scheduled (future-dated) articles, marked as such; publishconf turns it off.
WITH_FUTURE_DATES = True

# One source of feeds: plugins/feeds. Pelican's own feed writers are off.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
# Entries per feed written by plugins/feeds (Pelican pre-fills 100 when this is unset).
FEED_MAX_ITEMS = 20

RELATIVE_URLS = True
SLUGIFY_SOURCE = "title"

PLUGIN_PATHS = [str(Path(__file__).parent / "plugins")]
PLUGINS = [
    "content_check",
    "scheduling",
    "article_extras",
    "social_meta",
    "share_links",
    "social_cards",
    "feeds",
    "promote",
    "pelican.plugins.sitemap",
]

# Metadata our plugins read besides Pelican's own (social_meta/social_cards: Image, Image_alt;
# promote: Promote, Hashtags, Id, Social, Social_<network> for every network, Followups,
# Evergreen, Responses), so `invoke check` knows them.
CONTENT_CHECK_EXTRA_KEYS = ["image", "image_alt", "image_width", "image_height", "description",
                            "promote", "hashtags", "id", "social", "followups", "evergreen",
                            "responses",
                            *metadata_keys()]

# sitemap.xml (pelican-sitemap; robots.txt from plugins/social_meta names it). Leave out the 404
# page and paginated listing pages, which only repeat what page 1 and the articles already list.
SITEMAP = {
    "format": "xml",
    "exclude": [r"^404\.html$", r"/page/\d+/$"],
    "changefreqs": {"articles": "monthly", "pages": "monthly", "indexes": "daily"},
    "priorities": {"articles": 0.8, "pages": 0.5, "indexes": 0.4},
}

# Pelican's own content cache trusts modification times and ignores settings and code: it stays
# off, and the build keeps its own (BUILD_CACHE; docs/writing.md, "Fast builds").
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
