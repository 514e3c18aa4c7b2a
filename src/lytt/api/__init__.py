"""lytt.api"""
