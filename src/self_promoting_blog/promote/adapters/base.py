"""The one interface every network adapter implements, and the values that cross it.

An adapter is ~150 lines that knows one network's API: its fixed facts are class attributes (read
by the composer, the settings loader, the runner and the generated docs); two methods differ per
network:

- ``post(message, attempt) -> Posted``: send one announcement. Before any request that may create
  something the adapter cannot otherwise find again, it calls ``attempt.checkpoint(name, value)``,
  which commits ``value`` into the ledger row *before* returning (a Bluesky record key, a Threads
  container id). After a crash the next run passes the same values back in ``attempt.progress``.
- ``find_existing(message, attempt) -> Posted | None``: after a crash or an ambiguous failure, say
  whether the post landed. ``Posted`` = it did; ``None`` = it provably did not, so ``post`` may be
  called again with the same ``attempt``; raise ``AmbiguousError`` when the network gives no way to
  know (the row becomes ``unknown`` and nothing is re-sent).

A failed response becomes an error in one place, ``parse_error`` (see
``self_promoting_blog.promote.errors``): the body is read once (``read_error_body``), the adapter
words it (``error_text``) and maps what only its network means (``special_error``: a refused
token, a duplicate, a retired version); everything else ends the same way: a rate limit waits
``retry_after`` (else ``default_retry_after``) seconds, a 5xx may have landed (ambiguous), any
other status is permanent.

Reading back what a post earned (``invoke stats``) is one more method, ``read_back(post_ids)``:
each post's ``Engagement`` (its counts; ``GONE`` once the network says it was deleted). A network
that answers one post per request implements ``read_one``; one that answers many at once sets
``read_batch`` and overrides ``read_back``; one that gives no counts says why in ``no_counts``.
The same answer carries the public replies to the post (``Engagement.replies``, shown under the
article at the next build) where the network gives them to our token; one that does not says why
in ``no_replies``.

Retries, sleeps and redaction live in ``self_promoting_blog.promote.http`` and
``self_promoting_blog.promote.runner``, never in adapters.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import regex

from self_promoting_blog.promote.errors import (
    AmbiguousError,
    CredentialsError,
    NetworkError,
    PermanentError,
    RateLimited,
)
from self_promoting_blog.promote.http import parse_retry_after
from self_promoting_blog.promote.replies import PublicReply

if TYPE_CHECKING:
    import requests

    from self_promoting_blog.promote.http import HttpClient

URL_RE = regex.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]}'’”]")
ERROR_TEXT_MAX = 300  # characters of an error body that is JSON but not an object
Item = TypeVar("Item")


def read_error_body(response: requests.Response) -> tuple[dict[str, Any] | None, str]:
    """A failed response's JSON object (None when the body is not one), and the words to show
    when the object says nothing: the start of JSON that is not an object, else the HTTP reason."""
    try:
        body = response.json()
    except ValueError:
        return None, response.reason or "no details"
    if not isinstance(body, dict):
        return None, str(body)[:ERROR_TEXT_MAX]
    return body, response.reason or "no details"


def find_in_pages(first_params: dict[str, Any], fetch: Callable[[dict[str, Any]], Any],
                  items: Callable[[Any], Iterable[Item]],
                  next_params: Callable[[Any, dict[str, Any]], dict[str, Any] | None],
                  match: Callable[[Item], Posted | None], pages: int) -> Posted | None:
    """The first item of up to `pages` pages that `match`es, or None.

    `fetch(params)` answers one page; `items(page)` lists what it holds; `next_params(page,
    params)` asks for the page after it (None: that was the last one).
    """
    params: dict[str, Any] | None = first_params
    for _page in range(pages):
        if params is None:
            break
        page = fetch(params)
        for item in items(page):
            found = match(item)
            if found is not None:
                return found
        params = next_params(page, params)
    return None


@dataclass(frozen=True)
class EnvVar:
    """One credential or endpoint an adapter reads from the environment (or `.env`)."""

    name: str
    help: str
    secret: bool = False
    required: bool = True
    default: str | None = None


@dataclass(frozen=True)
class ConfigFinding:
    """Something wrong with one of a network's variables: which one, what, and the fix.

    Never holds a secret value: the text says what shape is wrong, not what was given.
    """

    variable: str
    problem: str
    fix: str
    blocking: bool = True       # False: a warning; the network still runs

    def __str__(self) -> str:
        return f"{self.variable} {self.problem}. {self.fix}"


@dataclass(frozen=True)
class NetworkConfig:
    """What an adapter is built from: its environment values and the relevant settings."""

    env: Mapping[str, str]
    base_url: str
    language: str = "en"
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Card:
    """The link preview: page URL (with UTM tags), title, description and absolute image URL."""

    url: str
    title: str
    description: str
    image_url: str | None


@dataclass(frozen=True)
class LinkSpan:
    """Where the article's link sits in a message's text: ``text[start:end]`` links to `target`.

    The covered text is the network's display form of the link (the URL itself, or a short form
    such as ``blog.example/articles/why...``); `target` is always the full UTM-tagged URL.
    """

    start: int
    end: int
    target: str


@dataclass(frozen=True)
class Message:
    """One composed announcement for one network: the exact text, its link and its card."""

    text: str
    link: str
    card: Card
    length: int
    limit: int
    article_url: str
    hashtags: tuple[str, ...] = ()
    links: tuple[LinkSpan, ...] = ()
    slot: str = "announce"      # which of the article's posts (see rows.slot_key)
    cut: bool = False           # the writer's text was cut to fit
    reply_to: str | None = None  # a thread's part after the first: the post id it answers
    # Ids of the posts the ledger holds for other rows (set when looking for this one after a
    # crash): never this one's, though they may link the article alike (UTM tags off).
    taken: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Limits:
    """How much text a network takes: `characters`, each URL weighing `url_weight` (None:
    counted like any other text)."""

    characters: int
    url_weight: int | None = None


@dataclass(frozen=True)
class Posted:
    """Where a post landed: the network's id and a public URL to it."""

    post_id: str
    post_url: str


@dataclass(frozen=True)
class Counts:
    """A post's public counts; None where the network does not count that kind."""

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None


@dataclass(frozen=True)
class Engagement:
    """What one post earned, as its network tells it: its counts, or None once it was deleted;
    its public replies (None: not read, the network's set of them is unchanged)."""

    counts: Counts | None
    replies: tuple[PublicReply, ...] | None = None

    @property
    def gone(self) -> bool:
        """The network says the post no longer exists (deleted): never asked about again."""
        return self.counts is None


GONE = Engagement(None)


def count(value: Any) -> int:
    """A count from an answer: a whole number of at least 0 (anything else counts as 0)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


@dataclass
class Attempt:
    """One ledger row being sent: its idempotency key and the checkpoints of earlier tries.

    ``checkpoint`` persists a value in the ledger row and returns only once it is committed.
    """

    key: str
    progress: dict[str, Any]
    checkpoint: Callable[[str, Any], None]
    resumed: bool = False

    def save(self, name: str, value: Any) -> None:
        """Record `value` under `name`, in memory and (committed) in the ledger row."""
        self.progress[name] = value
        self.checkpoint(name, value)


class NetworkAdapter(ABC):
    """Base of every network adapter; subclasses fill the class attributes and two methods."""

    # Identity and help shown to the owner.
    name: ClassVar[str]                 # setting/CLI name and ledger key = the module's name
    label: ClassVar[str]                # shown to readers and in reports, e.g. "Mastodon"
    setup_help: ClassVar[str]           # one-time setup, printed when a credential is missing
    recovery: ClassVar[str]             # how a lost answer is resolved, one line for the docs
    # How the network counts text (`limits()` may take the numbers from the server instead).
    text_limit: ClassVar[int]
    url_weight: ClassVar[int | None] = None     # every URL counts as this many (None: literally)
    counts_graphemes: ClassVar[bool] = False    # count user-perceived characters (\X)
    counts_utf16: ClassVar[bool] = False        # count UTF-16 code units (Telegram, Discord)
    max_bytes: ClassVar[int | None] = None      # an extra UTF-8 byte cap (Bluesky: 3000)
    # Where it lives and what it needs.
    env_vars: ClassVar[tuple[EnvVar, ...]]
    base_url_env: ClassVar[str | None] = None   # the variable that overrides default_base_url
    default_base_url: ClassVar[str | None] = None
    # What recovery after a crash can rely on.
    supports_idempotency_key: ClassVar[bool] = False   # re-sending with attempt.key is safe
    can_find_existing: ClassVar[bool] = False          # find_existing can answer yes/no
    public_posts: ClassVar[bool] = True                # links readers can open (syndication)
    # A follow-up too long for one post goes out as a thread: `post` answers message.reply_to.
    threads: ClassVar[bool] = False
    # The network refuses a text the account posted before: evergreen never repeats one there.
    refuses_repeats: ClassVar[bool] = False
    # How a rate limit is told and waited out (see `parse_error`).
    default_retry_after: ClassVar[float] = 60.0   # seconds, when the answer does not say
    rate_limit_on_503: ClassVar[bool] = False     # a 503 with Retry-After is a rate limit too
    rate_limit_note: ClassVar[str] = ""           # added to a rate limit's message
    # Reading back what posts earned (`invoke stats`).
    read_batch: ClassVar[int] = 1               # posts one `read_back` request may ask about
    no_counts: ClassVar[str | None] = None      # why the network gives no counts, if it gives none
    read_permission: ClassVar[str] = ""         # what reading them needs, for the docs
    no_replies: ClassVar[str | None] = None     # why replies are not read, if they are not

    def __init__(self, config: NetworkConfig, client: HttpClient) -> None:
        self.config = config
        self.client = client
        self.base_url = config.base_url.rstrip("/")

    # -- the two methods that differ per network ---------------------------------------------

    @abstractmethod
    def post(self, message: Message, attempt: Attempt) -> Posted:
        """Publish `message`; checkpoint anything needed to find it again before sending."""

    @abstractmethod
    def find_existing(self, message: Message, attempt: Attempt) -> Posted | None:
        """Return the post if it landed, None if it provably did not; raise AmbiguousError else."""

    # -- reading back what posts earned -----------------------------------------------------------

    def read_back(self, post_ids: Sequence[str]) -> dict[str, Engagement]:
        """Each post's engagement (at most `read_batch` ids), asked one post at a time."""
        return {post_id: self.read_one(post_id) for post_id in post_ids}

    def read_one(self, post_id: str) -> Engagement:
        """One post's engagement; `GONE` when the network says it was deleted."""
        raise NotImplementedError(f"{self.name}: {self.no_counts or 'reads no counts'}")

    def read_post(self, response: requests.Response, refused: str, variable: str) -> Any:
        """The body of an answer about one post; None once the post is gone (404, 410). A 403
        is a token that may not read it: the network's words, then `refused` (what reading
        needs), naming the token's `variable`."""
        if response.status_code in (404, 410):
            return None
        if response.status_code == 403:
            raise CredentialsError(self.name, self.error_text(*read_error_body(response)) +
                                   refused, variable, 403)
        return self.answer(response)

    # -- failed responses: shared, with hooks for what a network means by its own answers ------

    def parse_error(self, response: requests.Response) -> NetworkError:
        """Translate a failed response into PermanentError/RateLimited/... with its message."""
        body, fallback = read_error_body(response)
        status = response.status_code
        text = self.error_text(body, fallback)
        special = self.special_error(status, text, body, response)
        if special is not None:
            return special
        if status == 429 or (self.rate_limit_on_503 and status == 503
                             and "Retry-After" in response.headers):
            wait = self.retry_after(response, body)
            return RateLimited(self.name, text + self.rate_limit_note,
                               self.default_retry_after if wait is None else wait, status)
        if status >= 500:
            return AmbiguousError(self.name, text, status)  # the post may have been created
        return PermanentError(self.name, text, status)

    def error_text(self, body: dict[str, Any] | None, fallback: str) -> str:
        """The network's own words for a failure: the body's ``message``, else `fallback`."""
        return str((body or {}).get("message") or fallback)

    def special_error(self, status: int, text: str, body: dict[str, Any] | None,
                      response: requests.Response) -> NetworkError | None:
        """The error of an answer only this network gives meaning to, else None (shared end)."""
        return None

    def retry_after(self, response: requests.Response, body: dict[str, Any] | None
                    ) -> float | None:
        """Seconds a rate-limited answer asks us to wait (Retry-After), None if it does not say."""
        return parse_retry_after(response.headers.get("Retry-After"), response.headers)

    # -- shared behaviour ------------------------------------------------------------------------

    @classmethod
    def check_config(cls, config: NetworkConfig) -> list[ConfigFinding]:
        """Every value of the wrong shape (the settings loader has checked presence)."""
        return []  # nothing beyond presence to check, unless an adapter says otherwise

    def answer(self, response: requests.Response, ok: tuple[int, ...] = (200,)) -> Any:
        """The JSON body of a successful response; else raise `parse_error(response)`."""
        if response.status_code not in ok:
            raise self.parse_error(response)
        try:
            return response.json()
        except ValueError:
            return {}

    def close(self) -> None:
        """Release the HTTP connections."""
        self.client.close()

    def env(self, name: str) -> str:
        """Return a configured environment value (validated by the settings loader)."""
        return self.config.env.get(name, "")

    def account_parts(self) -> tuple[str, ...]:
        """The non-secret values naming the account posted to (hashed into the ledger key)."""
        return (self.base_url,)

    def account_id(self) -> str:
        """A stable, token-free id of the account, so a token change never re-announces."""
        joined = "\x1f".join((self.name, *self.account_parts()))
        return hashlib.sha256(joined.encode()).hexdigest()[:16]

    @classmethod
    def default_limits(cls) -> Limits:
        """The limits the network documents (what a dry run, which asks no server, counts by)."""
        return Limits(cls.text_limit, cls.url_weight)

    def limits(self) -> Limits:
        """The limits of the server posted to; an adapter whose server says asks it here."""
        return self.default_limits()

    @classmethod
    def text_length(cls, text: str, limits: Limits | None = None) -> int:
        """Count `text` the way this network does (URLs weighted, graphemes or UTF-16 units)."""
        url_weight = (limits or cls.default_limits()).url_weight
        if url_weight is not None:
            text = URL_RE.sub("x" * url_weight, text)
        if cls.counts_graphemes:
            return len(regex.findall(r"\X", text))
        if cls.counts_utf16:
            return len(text.encode("utf-16-le")) // 2
        return len(text)

    @classmethod
    def length_unit(cls) -> str:
        """What `text_length` counts, in words an owner reads ("graphemes, each link as 23")."""
        unit = ("graphemes" if cls.counts_graphemes else
                "UTF-16 units" if cls.counts_utf16 else "characters")
        return unit + (f", each link as {cls.url_weight}" if cls.url_weight is not None else "")

    @classmethod
    def fits(cls, text: str, limits: Limits | None = None) -> bool:
        """True when `text` is within the network's limit (and byte cap, if any)."""
        if cls.max_bytes is not None and len(text.encode()) > cls.max_bytes:
            return False
        return cls.text_length(text, limits) <= (limits or cls.default_limits()).characters

    @classmethod
    def link_text(cls, url: str) -> str:
        """What the text shows for the link to `url`: the URL itself, unless the network lets
        link text differ from its target (then a shorter display form)."""
        return url

    @classmethod
    def escape(cls, text: str) -> str:
        """Escape writer-controlled text for the network's markup (plain text by default)."""
        return text

    @classmethod
    def payload_preview(cls, message: Message) -> dict[str, Any]:
        """What `--dry-run` shows beyond the text (e.g. facets, embed); nothing by default."""
        return {}
