"""Drawing social cards (the build plugin is plugins/social_cards)."""
