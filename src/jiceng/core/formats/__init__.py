"""Date formats per language (settings.FORMAT_MODULE_PATH, "jiceng.core.formats"). Templates name a format, never a
pattern with Chinese in it: ``{{ when|date:"DATETIME_FORMAT" }}``, ``|date:"MONTH_DAY_FORMAT"``.
Chinese keeps Django's own (2026年11月30日 09:30); English reads the way the district's English
readers write a date, with a 24-hour clock like the Chinese pages."""
