/* Reading back what an XLSX writer produced, for tests: a part of the zip, the worksheet part
 * of a sheet named in xl/workbook.xml, and the text of one cell (shared string or value). */
#ifndef TX_TEST_XLSX_PARTS_H
#define TX_TEST_XLSX_PARTS_H

/* The text of part `name` of the zip at path; NULL when the file or the part is missing.
 * Caller frees. */
char *xp_zip_part(const char *path, const char *name);

/* "xl/worksheets/sheetN.xml" (or a chartsheet's part) of the sheet named `sheet`, through
 * xl/workbook.xml and its relationships; NULL when no sheet has that name. Caller frees. */
char *xp_sheet_part(const char *path, const char *sheet);

/* The text of cell `ref` ("D4") of sheet `sheet`: its shared string or its value as written,
 * "" for an empty cell, NULL when the sheet is missing. Caller frees. */
char *xp_cell(const char *path, const char *sheet, const char *ref);

#endif
