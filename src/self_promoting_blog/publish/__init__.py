"""`invoke publish`: production build → check → deploy → wait until live → promote.

Not a Pelican plugin: nothing here runs during a build. See pipeline.publish() and README "Deploy".
"""
