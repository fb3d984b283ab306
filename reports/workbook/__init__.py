"""The programme as an Excel workbook: writing it, and reading an edited one back safely."""
