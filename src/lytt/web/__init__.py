"""lytt.web"""
