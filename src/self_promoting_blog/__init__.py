"""The blog's application: build, check, content, writing, cards, deploy, publish, promote, derived.

The Pelican plugins in plugins/ import it; it never imports them. ARCHITECTURE.md maps the parts,
the flow of one article through them, and the contracts between them.
"""
