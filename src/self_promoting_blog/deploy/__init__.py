"""Deploy output/ to S3-compatible storage, rsync or GitHub Pages (called by `invoke deploy`).

Not a Pelican plugin: nothing here runs during a build. See deploy.deploy() and README "Deploy".
"""
