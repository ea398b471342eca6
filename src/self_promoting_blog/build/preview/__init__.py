"""The live preview of `invoke livereload`: the site kept in memory, each page drawn on request.

- ``memory``: content objects kept between updates, so an update reads only the changed files,
  and what depends only on a file worked out once per read (``addresses``: its address);
- ``recording``: a Pelican writer that records each page instead of rendering it (the page
  asked for first alone, the others once it is served);
- ``site``: one update (a Pelican run with that reader memory and writer) and answering a path;
- ``pages``: the reload hook injected into HTML answers, and the error page;
- ``server``: the HTTP server and the watcher that updates the site after each change.

A page the preview serves is byte for byte what a full development build writes at that path,
except for the reload hook (``pages.RELOAD_HOOK``) inserted before the last ``</body>``.
"""
