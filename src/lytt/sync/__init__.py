"""lytt.sync"""
