#!/usr/bin/python3
"""Writes a synthetic DICOMweb corpus as the files bench/fast_pacs.sh --scale serves with nginx.

Every answer `dicomlake backfill --from FROM --to TO` asks for is one file, named as
bench/lib.sh's nginx configuration expects (FILES/<path>/@<raw query string>):

- the QIDO-RS probe, /studies?limit=1&offset=0;
- the study listings: one query per 7-day chunk of the window (every chunk holds studies, so
  dicomlake's chunk never grows), paged by 100 until an empty page, with
  NumberOfStudyRelatedInstances and NumberOfStudyRelatedSeries;
- WADO-RS /studies/{uid}/metadata for ordinary studies;
- for the large studies (above pacs.series_threshold, 2000 by default): the QIDO-RS series list
  of the study and /studies/{uid}/series/{uid}/metadata per series.

Instances are one CT image template (about 60 attributes, two sequences, a private block;
compact JSON) with per-instance UIDs, numbers and positions. Deterministic: no randomness.
FILES/index.tsv lists each metadata URI with its instance count (for the sampler), and
FILES/corpus.json sums up the corpus. Python's standard library only.

Usage: gen_scale_corpus.py --out FILES [--studies N] [--instances N] [--large N]
                           [--large-instances N] [--from YYYY-MM-DD] [--weeks N]
"""
import argparse, datetime, json, os, re

ROOT = "/dicom-web"
LISTING_ARGS = "StudyDate={}-{}&includefield=00201208&includefield=00201206&limit=100&offset={}"
UID_ROOT = "1.2.826.0.1.3680043.10.9999"


def el(vr, *values):
    return {"vr": vr, "Value": list(values)} if values else {"vr": vr}


def mark(name):  # a string value filled in per instance
    return "\x01" + name + "\x01"


def num(name):  # a number filled in per instance (written bare, as Orthanc writes DS and IS)
    return "\x02" + name + "\x02"


TEMPLATE = {
    "00080005": el("CS", "ISO_IR 100"),
    "00080008": el("CS", "ORIGINAL", "PRIMARY", "AXIAL"),
    "00080016": el("UI", "1.2.840.10008.5.1.4.1.1.2"),
    "00080018": el("UI", mark("sop")),
    "00080020": el("DA", mark("date")),
    "00080021": el("DA", mark("date")),
    "00080022": el("DA", mark("date")),
    "00080023": el("DA", mark("date")),
    "00080030": el("TM", mark("time")),
    "00080031": el("TM", mark("time")),
    "00080032": el("TM", mark("acqtime")),
    "00080033": el("TM", mark("acqtime")),
    "00080050": el("SH", mark("accession")),
    "00080060": el("CS", "CT"),
    "00080070": el("LO", mark("manufacturer")),
    "00080080": el("LO", "Synthetic General Hospital"),
    "00080090": {"vr": "PN", "Value": [{"Alphabetic": "Referring^Doctor"}]},
    "00081010": el("SH", mark("station")),
    "00081030": el("LO", mark("studydesc")),
    "00081032": {"vr": "SQ", "Value": [{"00080100": el("SH", "CTCHABD"), "00080102": el("SH", "LOCAL"),
                                        "00080104": el("LO", "CT CHEST ABDOMEN")}]},
    "0008103E": el("LO", mark("seriesdesc")),
    "00081090": el("LO", mark("model")),
    "00100010": {"vr": "PN", "Value": [{"Alphabetic": mark("patientname")}]},
    "00100020": el("LO", mark("patientid")),
    "00100030": el("DA", mark("birthdate")),
    "00100040": el("CS", mark("sex")),
    "00101010": el("AS", mark("age")),
    "00101020": el("DS", 1.72),
    "00101030": el("DS", 71.5),
    "00180015": el("CS", "CHEST"),
    "00180050": el("DS", 1.25),
    "00180060": el("DS", 120),
    "00180090": el("DS", 500),
    "00181000": el("LO", mark("serial")),
    "00181020": el("LO", "VX.2.1"),
    "00181030": el("LO", "Chest-Abdomen routine"),
    "00181100": el("DS", 380),
    "00181120": el("DS", 0),
    "00181130": el("DS", 152),
    "00181140": el("CS", "CW"),
    "00181150": el("IS", 600),
    "00181151": el("IS", num("ma")),
    "00181152": el("IS", 84),
    "00181160": el("SH", "BODY FILTER"),
    "00181170": el("IS", 48),
    "00181190": el("DS", 1.2),
    "00181210": el("SH", "STANDARD"),
    "00185100": el("CS", "FFS"),
    "00189345": el("FD", num("ctdivol")),
    "00189346": {"vr": "SQ", "Value": [{"00080100": el("SH", "113691"), "00080102": el("SH", "DCM"),
                                        "00080104": el("LO", "IEC Body Dosimetry Phantom")}]},
    "0020000D": el("UI", mark("study")),
    "0020000E": el("UI", mark("series")),
    "00200010": el("SH", "1"),
    "00200011": el("IS", num("seriesnumber")),
    "00200012": el("IS", 1),
    "00200013": el("IS", num("number")),
    "00200032": el("DS", -187.5, -187.5, num("z")),
    "00200037": el("DS", 1, 0, 0, 0, 1, 0),
    "00200052": el("UI", mark("frame")),
    "00201040": el("LO", ""),
    "00201041": el("DS", num("z")),
    "00280002": el("US", 1),
    "00280004": el("CS", "MONOCHROME2"),
    "00280010": el("US", 512),
    "00280011": el("US", 512),
    "00280030": el("DS", 0.732421875, 0.732421875),
    "00280100": el("US", 16),
    "00280101": el("US", 12),
    "00280102": el("US", 11),
    "00280103": el("US", 0),
    "00281050": el("DS", 40),
    "00281051": el("DS", 400),
    "00281052": el("DS", -1024),
    "00281053": el("DS", 1),
    "00290010": el("LO", "SYNTHETIC"),
    "00291010": el("LO", "SYNTHETIC PRIVATE"),
    "00291011": el("OB"),
}


def compile_template():
    text = json.dumps(TEMPLATE, separators=(",", ":"))
    literals, names, at = [], [], 0
    # json.dumps writes the markers as \u0001 / \u0002; a number's marker takes its quotes along.
    for m in re.finditer(r'\\u0001(\w+)\\u0001|"\\u0002(\w+)\\u0002"', text):
        literals.append(text[at:m.start()])
        names.append(m.group(1) or m.group(2))
        at = m.end()
    literals.append(text[at:])
    return literals, names


def render(literals, names, values):
    out = [literals[0]]
    for name, lit in zip(names, literals[1:]):
        out.append(values[name])
        out.append(lit)
    return "".join(out)


def write(files, uri_path, args, text):
    d = files + uri_path
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "@" + args), "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--studies", type=int, default=20000)
    ap.add_argument("--instances", type=int, default=1000000)
    ap.add_argument("--large", type=int, default=3, help="studies of --large-instances instances")
    ap.add_argument("--large-instances", type=int, default=10000)
    ap.add_argument("--large-series", type=int, default=4)
    ap.add_argument("--series", type=int, default=4, help="series per ordinary study")
    ap.add_argument("--from", dest="first", default="2025-01-06")
    ap.add_argument("--weeks", type=int, default=52)
    a = ap.parse_args()
    if a.studies <= a.large or a.weeks < 1 or a.studies < a.weeks:
        ap.error("need more studies than large ones, and at least one study a week")
    first = datetime.date.fromisoformat(a.first)
    days = 7 * a.weeks
    ordinary = a.studies - a.large
    # Rounded up: the corpus holds at least --instances instances.
    per_ordinary = max(a.series, -(-(a.instances - a.large * a.large_instances) // ordinary))
    literals, names = compile_template()
    os.makedirs(a.out, exist_ok=True)
    index = open(os.path.join(a.out, "index.tsv"), "w")

    studies = []  # (uid, date, instances, series)
    total_instances = 0
    biggest = 0
    for s in range(a.studies):
        stride = max(1, a.studies // max(1, a.large))  # the large studies, spread over the window
        large = s % stride == 0 and s // stride < a.large
        n = a.large_instances if large else per_ordinary
        nseries = a.large_series if large else a.series
        day = first + datetime.timedelta(days=s * days // a.studies)
        date = day.strftime("%Y%m%d")
        study_uid = f"{UID_ROOT}.1.{s + 1}"
        common = {
            "study": study_uid, "date": date, "time": f"{8 + s % 10:02d}{s % 60:02d}00",
            "accession": f"ACC{s + 1:08d}", "patientid": f"PID{s % 15000:07d}",
            "patientname": f"Synthetic^Patient{s % 15000}", "birthdate": f"{1940 + s % 60}0{1 + s % 9}15",
            "sex": "MF"[s % 2], "age": f"{30 + s % 60:03d}Y", "studydesc": "CT CHEST ABDOMEN",
            "manufacturer": ("SIEMENS", "GE MEDICAL SYSTEMS", "Philips", "TOSHIBA")[s % 4],
            "model": ("SOMATOM Force", "Revolution CT", "iCT 256", "Aquilion ONE")[s % 4],
            "station": f"CT{s % 12:02d}", "serial": f"SN{s % 12:05d}",
        }
        series_bodies = []
        written = 0
        for k in range(nseries):
            count = n // nseries + (1 if k < n % nseries else 0)
            values = dict(common)
            values.update({"series": f"{study_uid}.{k + 1}", "seriesnumber": str(k + 1),
                           "seriesdesc": f"Axial {1 + k % 3}.0 mm", "frame": f"{study_uid}.0.{k + 1}",
                           "ctdivol": f"{5 + (s + k) % 20}.5", "ma": str(200 + (s + k) % 200)})
            parts = []
            for i in range(count):
                values["sop"] = f"{study_uid}.{k + 1}.{i + 1}"
                values["number"] = str(i + 1)
                values["z"] = f"{-i * 1.25:.2f}"
                values["acqtime"] = f"{8 + s % 10:02d}{(s + i // 60) % 60:02d}{i % 60:02d}"
                parts.append(render(literals, names, values))
            series_bodies.append((values["series"], count, "[" + ",".join(parts) + "]"))
            written += count
        base = f"{ROOT}/studies/{study_uid}"
        if large:
            listing = [{"0020000E": el("UI", uid), "00200011": el("IS", k + 1), "00080060": el("CS", "CT")}
                       for k, (uid, _, _) in enumerate(series_bodies)]
            write(a.out, base + "/series", "limit=100&offset=0", json.dumps(listing))
            write(a.out, base + "/series", f"limit=100&offset={len(listing)}", "[]")
            for uid, count, body in series_bodies:
                write(a.out, f"{base}/series/{uid}/metadata", "", body)
                index.write(f"{base}/series/{uid}/metadata\t{count}\n")
                biggest = max(biggest, len(body))
        else:
            body = "[" + ",".join(b[2][1:-1] for b in series_bodies) + "]"
            write(a.out, base + "/metadata", "", body)
            index.write(f"{base}/metadata\t{written}\n")
            biggest = max(biggest, len(body))
        studies.append((study_uid, date, written, nseries))
        total_instances += written

    def entry(uid, date, n, nseries):
        return {"00080020": el("DA", date), "0020000D": el("UI", uid),
                "00201206": el("IS", nseries), "00201208": el("IS", n)}

    write(a.out, ROOT + "/studies", "limit=1&offset=0", json.dumps([entry(*studies[0])]))
    for w in range(a.weeks):
        lo, hi = first + datetime.timedelta(days=7 * w), first + datetime.timedelta(days=7 * w + 6)
        dlo, dhi = lo.strftime("%Y%m%d"), hi.strftime("%Y%m%d")
        chunk = [st for st in studies if dlo <= st[1] <= dhi]
        if not chunk:
            raise SystemExit(f"week {w} holds no study: dicomlake would widen its chunk")
        for off in range(0, len(chunk), 100):
            write(a.out, ROOT + "/studies", LISTING_ARGS.format(dlo, dhi, off),
                  json.dumps([entry(*st) for st in chunk[off:off + 100]]))
        write(a.out, ROOT + "/studies", LISTING_ARGS.format(dlo, dhi, len(chunk)), "[]")
    index.close()
    last = first + datetime.timedelta(days=days - 1)
    summary = {"studies": len(studies), "instances": total_instances,
               "series": sum(st[3] for st in studies), "large_studies": a.large,
               "large_study_instances": a.large_instances, "from": first.isoformat(), "to": last.isoformat(),
               "largest_body_mb": round(biggest / 1e6, 1)}
    with open(os.path.join(a.out, "corpus.json"), "w") as f:
        json.dump(summary, f)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
