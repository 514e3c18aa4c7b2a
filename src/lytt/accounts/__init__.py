"""lytt.accounts"""
