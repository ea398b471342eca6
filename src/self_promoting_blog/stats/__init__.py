"""`invoke stats`: what each announced post earned, read back from its network into the ledger's
store, shown as a table, JSON or an offline HTML report."""
