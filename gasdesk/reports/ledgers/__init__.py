"""Excel ledgers (台账): plain rows in, an .xlsx file out. No Qt, no database.

The services build the rows (gasdesk/services/ledgers.py); `write_workbook` streams them into an
openpyxl write-only workbook with the title block, headers, formats and totals managers expect.
"""

from gasdesk.reports.ledgers.spec import ChartSpec, ColumnType, LedgerColumn, SheetData, TitleBlock
from gasdesk.reports.ledgers.writer import HEADER_ROW, ExportCancelled, display_width, write_workbook

# The PDF module (reportlab) is imported where it is used: `gasdesk.reports.ledgers.pdf.write_pdf`.

__all__ = [
    "HEADER_ROW", "ChartSpec", "ColumnType", "ExportCancelled", "LedgerColumn", "SheetData", "TitleBlock",
    "display_width", "write_workbook",
]
