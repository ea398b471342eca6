"""site_build: staged, atomic Pelican builds and the local servers, for tasks.py.

Not a Pelican plugin (it is not in PLUGINS and registers no signal): it runs Pelican.
``build.build_site`` builds, ``report`` prints what a build did, ``serve`` serves output/.
"""
