"""lytt.catalog"""
