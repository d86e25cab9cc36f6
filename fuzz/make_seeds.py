#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into fuzz/corpus/<target>/seed-*: a few small,
valid files of each kind (CSV in each encoding pdca reads, XLSX with shared and inline strings,
plan files from pdca-core's tests, dump lines of each table). Standard library only; run from
anywhere: `python3 fuzz/make_seeds.py`. The fuzzer adds its own finds beside them (minimised by
`scripts/fuzz` with `cargo fuzz cmin`)."""

import io
import os
import zipfile

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
CORPUS = os.path.join(FUZZ, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# --- CSV ------------------------------------------------------------------------------------
HEADER = "indicator_id,fiscal_year,value,numerator,denominator,body,note,source"
ROWS = [
    "p1-out-01,2020,25,,,amed,,",
    "p1-out-01,2021,\"1,234\",,,AMED,備考,出典",
    "p1-out-04,令和3年度,,3,4,amed,,",
    "p1-out-m1,R4,\"状況の記述\n二行目\",,,amed,'=not a formula,",
]
csv_text = HEADER + "\r\n" + "\r\n".join(ROWS) + "\r\n"
put("csv", "utf8.csv", csv_text)
put("csv", "utf8-bom.csv", "\ufeff" + csv_text)
japanese = "指標ID,年度,実績,分子,分母,報告機関,備考,出典\n" + "p1-out-02,２０２２,２５件,,,ＡＭＥＤ,全角,\n"
put("csv", "shift-jis.csv", japanese.encode("cp932"))
tabbed = HEADER.replace(",", "\t") + "\n" + "p1-out-03\tFY2023\t75％\t\t\tamed\t\t\n"
put("csv", "utf16-tab.csv", b"\xff\xfe" + tabbed.encode("utf-16-le"))
put("csv", "header-only.csv", HEADER + "\n")
put("csv", "bad-rows.csv", HEADER + "\nnope,1999,abc,,,nobody,,\n,,,,,,,\r\rp1-out-01,2020,-1\n")

# --- XLSX -----------------------------------------------------------------------------------
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{overrides}
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def col(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xlsx(sheets, shared=True, origin=(0, 0), date_cell=False):
    """sheets: [(name, [[cell, ...], ...])]; cells are str, int, float or None."""
    strings = []
    sheet_xml = []
    for _, rows in sheets:
        out = []
        for r, row in enumerate(rows):
            rr = r + origin[0] + 1
            cells = []
            for c, v in enumerate(row):
                ref = col(c + origin[1]) + str(rr)
                if v is None:
                    continue
                if isinstance(v, (int, float)):
                    style = ' s="1"' if date_cell and isinstance(v, float) else ""
                    cells.append(f'<c r="{ref}"{style}><v>{v}</v></c>')
                elif shared:
                    if v not in strings:
                        strings.append(v)
                    cells.append(f'<c r="{ref}" t="s"><v>{strings.index(v)}</v></c>')
                else:
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{xml_escape(v)}</t></is></c>')
            out.append(f'<row r="{rr}">{"".join(cells)}</row>')
        sheet_xml.append(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}><sheetData>{"".join(out)}</sheetData></worksheet>')
    overrides = []
    wb_rels = []
    wb_sheets = []
    files = {}
    for i, ((name, _), x) in enumerate(zip(sheets, sheet_xml), start=1):
        files[f"xl/worksheets/sheet{i}.xml"] = x
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        wb_rels.append(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>')
        wb_sheets.append(f'<sheet name="{xml_escape(name)}" sheetId="{i}" r:id="rId{i}"/>')
    n = len(sheets)
    if strings:
        sst = "".join(f"<si><t>{xml_escape(s)}</t></si>" for s in strings)
        files["xl/sharedStrings.xml"] = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {NS} count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>'
        overrides.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
        wb_rels.append(f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')
    if date_cell:
        files["xl/styles.xml"] = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {NS}><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'
        overrides.append('<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>')
        wb_rels.append(f'<Relationship Id="rId{n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>')
    files["xl/workbook.xml"] = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {NS}><sheets>{"".join(wb_sheets)}</sheets></workbook>'
    files["xl/_rels/workbook.xml.rels"] = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(wb_rels) + "</Relationships>"
    files["_rels/.rels"] = RELS
    files["[Content_Types].xml"] = CONTENT_TYPES.format(overrides="\n".join(overrides))
    buf = io.BytesIO()
    # Stored, not deflated: the fuzzer's mutations then reach the XML (CRCs aside).
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"] + sorted(k for k in files if k.startswith("xl/") and k not in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            z.writestr(info, files[name])
    return buf.getvalue()


header = HEADER.split(",")
rows = [header, ["p1-out-01", 2020, 25, None, None, "amed", None, None],
        ["p1-out-04", "令和3年度", None, 3, 4, "AMED", "備考", None],
        ["p1-out-m1", 2022, "状況", None, None, "amed", None, "出典"]]
put("xlsx", "shared.xlsx", xlsx([("actuals", rows)]))
put("xlsx", "inline.xlsx", xlsx([("Sheet1", rows)], shared=False))
put("xlsx", "offset.xlsx", xlsx([("実績", rows)], origin=(2, 1)))
put("xlsx", "two-sheets.xlsx", xlsx([("表紙", [["説明"]]), ("actuals", rows)]))
put("xlsx", "date.xlsx", xlsx([("actuals", [header, ["p1-out-01", 44652.0, 1.5, None, None, "amed"]])], date_cell=True))
put("xlsx", "japanese-header.xlsx", xlsx([("actuals", [["指標ID", "年度", "実績", "報告機関"], ["p1-out-02", "R4", "２５件", "ＡＭＥＤ"]])]))

# --- Plan files -----------------------------------------------------------------------------
plans = os.path.join(ROOT, "crates", "pdca-core", "tests", "plans")
for name in sorted(os.listdir(plans)):
    if name.endswith(".toml"):
        with open(os.path.join(plans, name), "rb") as f:
            put("plan_file", name, f.read())

# --- Fiscal years and values ----------------------------------------------------------------
for i, text in enumerate(["2022", "２０２２", "FY2022", "2022年度", "令和4年度", "令和元年度", "R4", "Ｒ４",
                          "H30", "平成30年度", "昭和64", "大正15年", "明治45", "25", "２５", "1,234",
                          "25件", "75％", "-3.5", "1e3", "１，２３４．５人", "  ｶﾀｶﾅ\u3000 text  "]):
    put("normalize", f"{i:02}", text)

# --- Dump table files (first byte: the table's index in pdca-store's dump.rs TABLES) ---------
H = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
T = "2026-04-01T09:00:00Z"
DUMP = [
    ("plan_versions", ['{"plan_id":"p","revision":1,"name":"計画","start_fy":2020,"end_fy":2024,"effective_from":2020,"document":"[plan]\\nid = \\"p\\"\\n","source":null,"saved_at":"%s","saved_by":"admin"}' % T]),
    ("assignments", ['{"plan_id":"p","indicator_id":"i1","body_id":"amed","share":null}', '{"plan_id":"p","indicator_id":"i1","body_id":"mext","share":0.25}']),
    ("audit_log", ['{"id":1,"at":"%s","actor":"admin","action":"plan.save","subject":"p","old_value":null,"new_value":"1","note":"初版"}' % T]),
    ("users", ['{"id":1,"name":"admin","role":"secretariat","body_id":null,"password_hash":"%s","must_change_password":0,"disabled":0,"created_at":"%s"}' % (H, T),
               '{"id":2,"name":"amed","role":"body","body_id":"amed","password_hash":"%s","must_change_password":1,"disabled":0,"created_at":"%s"}' % (H, T)]),
    ("api_tokens", ['{"id":1,"user_id":1,"name":"ci","secret_hash":"abc","created_at":"%s","revoked_at":null,"last_used_at":null}' % T]),
    ("actual_batches", ['{"id":1,"plan_id":"p","recorded_by":"amed","recorded_at":"%s","state":"approved","review_comment":null}' % T]),
    ("actual_revisions", ['{"id":1,"batch_id":1,"indicator_id":"i1","fiscal_year":2020,"body_id":"amed","value":25.0,"numerator":null,"denominator":null,"narrative":null,"note":"備考","source":null}',
                          '{"id":2,"batch_id":1,"indicator_id":"i2","fiscal_year":2021,"body_id":"amed","value":null,"numerator":3.0,"denominator":4.0,"narrative":null,"note":null,"source":"出典"}']),
    ("follow_up_rounds", ['{"id":1,"plan_id":"p","fiscal_year":2024,"state":"open","deadline":"2025-06-30","opened_by":"admin","opened_at":"%s"}' % T]),
    ("round_ratings", ['{"round_id":1,"indicator_id":"i1","rating":"A","reason":"理由","issue":null,"solution":null,"recorded_by":"admin","recorded_at":"%s"}' % T]),
    ("meetings", ['{"id":1,"plan_id":"p","fiscal_year":2024,"committee":"推進会議","number":1,"kind":0,"date":"2025-07-01","agenda":"議題","minutes":null}']),
    ("round_items", ['{"id":1,"round_id":1,"kind":"opinion","title":null,"body_text":"意見","points":null,"body_id":"amed","budget":null,"meeting_id":1,"plan_revision":null,"reflected":0,"author":"admin","created_at":"%s"}' % T]),
    ("round_item_links", ['{"item_id":1,"link_kind":"indicator","target_id":"i1"}', '{"item_id":1,"link_kind":"indicator","target_id":"i2"}']),
    ("meeting_materials", ['{"meeting_id":1,"position":1,"label":"資料1","title":"資料","file_name":"a.pdf","content":"JVBERi0xLjQK"}',
                           '{"meeting_id":1,"position":2,"label":"資料2","title":"資料","file_name":null,"content":null}']),
]
for i, (name, lines) in enumerate(DUMP):
    put("dump", f"{i:02}-{name}.jsonl", bytes([i]) + ("\n".join(lines) + "\n").encode("utf-8"))
put("dump", "empty.jsonl", bytes([0]))
put("dump", "crlf.jsonl", bytes([1]) + ("\r\n".join(DUMP[1][1]) + "\r\n").encode("utf-8"))
