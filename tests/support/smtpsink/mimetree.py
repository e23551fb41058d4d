#!/usr/bin/env python3
"""Reads a MIME message with Python's email package (a parser independent of dicomlake's).

  mimetree.py MESSAGE OUTDIR

Writes OUTDIR/tree.txt (one line per entity, indented two spaces per level: the content type,
and for leaves their number, Content-ID, disposition and file name), OUTDIR/<n> (the decoded
payload of leaf n), OUTDIR/headers.txt (the top-level headers, decoded, one per line) and
OUTDIR/defects.txt (how many defects the parser noted).
"""
import email
import email.policy
import os
import sys

raw = open(sys.argv[1], "rb").read()
out = sys.argv[2]
msg = email.message_from_bytes(raw, policy=email.policy.default)
lines, count, defects = [], [0], []


def walk(part, depth):
    defects.extend(part.defects)
    if part.is_multipart():
        lines.append("  " * depth + part.get_content_type())
        for child in part.iter_parts():
            walk(child, depth + 1)
        return
    count[0] += 1
    with open(os.path.join(out, str(count[0])), "wb") as f:
        f.write(part.get_payload(decode=True))
    cid = part.get("Content-ID", "")
    filename = part.get_filename()
    lines.append("  " * depth + part.get_content_type() + " " + str(count[0]) +
                 (" cid=" + cid if cid else "") + " " + (part.get_content_disposition() or "none") +
                 (" filename=" + filename if filename else ""))


walk(msg, 0)
with open(os.path.join(out, "tree.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(out, "headers.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(k + ": " + str(v) for k, v in msg.items()) + "\n")
with open(os.path.join(out, "defects.txt"), "w") as f:
    f.write(str(len(defects)))
