"""Writes partner_return.xlsx: a realistic, messy partner return (wide layout,
title rows, UK dates as text and as date cells, £ strings, a notes row and a
total row, plus deliberate mistakes for `impact validate` to find).

The .xlsx is committed; this script documents how it was made.
Run: python3 make_workbook.py   (needs openpyxl)
"""
import datetime as dt
from openpyxl import Workbook
from openpyxl.styles import Font

wb = Workbook()
ws = wb.active
ws.title = "Q4 return"
ws["A1"] = "Through the Gate PSP: partner quarterly return"
ws["A1"].font = Font(bold=True, size=14)
ws["A2"] = "Quarter: January to March 2025. Send to the PSP data team by 15 April."
headings = ["Partner", "Date of outcome", "Client ref", "Client group", "Council area", "SIMD",
            "People met at gate", "Housing on release", "Jobs started", "Training hrs",
            "Local spend (£)", "Evidence"]
for i, h in enumerate(headings, start=1):
    ws.cell(row=3, column=i, value=h).font = Font(bold=True)

D = dt.date
rows = [
    # Partner, date, client, group, area, simd, met, housing, jobs, training, spend, evidence
    ["Fàilte Works", "06/01/2025", "FW-0141", "ex_offender", "S12000049", 2, 1, 1, None, None, None, "case file"],
    ["Fàilte Works", "13/01/2025", "FW-0152", "ex_offender", "S12000049", 1, 1, None, None, "6", None, "case file"],
    ["Fàilte Works", D(2025, 1, 20), "FW-0163", "ex_offender", "S12000049", 3, None, 1, 1, "12.5", None, "tenancy"],
    ["Fàilte Works", "27/01/2025", "FW-0170", "ex_offender", "S12000049", "1", 1, None, None, None, "£1,200", "invoice"],
    ["Leith Community Kitchen", "03/02/2025", "LCK-022", "ex_offender", "S12000036", 4, 1, 1, None, "4", None, "case file"],
    ["Leith Community Kitchen", "31/02/2025", "LCK-023", "ex_offender", "S12000036", 2, 1, None, None, None, None, "case file"],
    ["Leith Community Kitchen", "10/02/2025", "LCK-031", "ex_offender", "S12000036", 5, None, None, "two", None, None, "payslip"],
    ["Leith Community Kitchen", D(2025, 2, 17), "LCK-035", "ex_offender", "S12000036", 3, 1, -1, None, None, None, "case file"],
    ["Inverclyde Caring Connections", "24/02/2025", "ICC-101", "ex_offender", "S12000018", 1, 1, 1, None, "N/A", None, "case file"],
    ["Inverclyde Caring Connections", "03/03/2025", "ICC-107", "ex_offender", "S12000018", 11, None, None, 1, None, None, "payslip"],
    ["Inverclyde Caring Connections", "10/03/2025", "ICC-112", "ex_offender", "S12000018", 2, None, None, None, "7.5", "1,250.50", "invoice"],
    ["Aberdeen Second Chance", "17/03/2025", "ASC-301", "ex_offender", "S12000033", 2, 1, 1, 1.5, None, None, "payslip"],
    ["Aberdeen Second Chance", "14/03/2031", "ASC-305", "ex_offender", "S12000033", 6, 1, None, None, None, None, "case file"],
    [None, None, None, None, None, None, None, None, None, None, None, None],
    ["Aberdeen Second Chance", "24/03/2025", "ASC-309", "ex_offender", "S12000033", 3, None, None, None, "3", "£ 860", "receipt"],
    ["Aberdeen Second Chance", "28/03/2025", "", "ex_offender", "S12000033", 7, 1, 1, 1, None, None, "case file"],
    ["Total", None, None, None, None, None, 10, 6, 5, None, None, None],
    ["Notes: March figures are provisional until the April case review.", None, None, None, None, None, None, None, None, None, None, None],
]
for r, values in enumerate(rows, start=4):
    for c, v in enumerate(values, start=1):
        if v is not None:
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, dt.date):
                cell.number_format = "DD/MM/YYYY"

guide = wb.create_sheet("Guidance")
guide["A1"] = "One row per person per outcome. Dates as DD/MM/YYYY. Leave cells blank when nothing happened."
wb.save("partner_return.xlsx")
