#!/usr/bin/env python3
"""Generate layout table columns from the public facts (doc/layouts.md).

    scripts/layouts-columns.py [--check] LAYOUTS_DIR

For each column of LAYOUTS_DIR/facts/columns.tsv, writes every cell of every
table in LAYOUTS_DIR (builds.tsv and the structure tables) from:

- facts/volatility2.tsv, facts/vergilius.tsv and facts/ntdiff.tsv
  (scripts/layouts-extract.py's output): a row's PDB type and member come from pdb.tsv, its value is the
  facts' offset, bit field or size for the column's kernel, - where the
  facts hold the structure whole (its SIZE) without the member; a row named
  in pdb.tsv's size cell of another (image_file_name_size) gets that
  member's size; a structure the column's kernel has no facts for, or holds
  without its size, is filled from the facts of the kernels columns.tsv
  names in its carry cell, in order, each such cell cited as carried over
  and unverified (or as that kernel's facts when the column serves its
  build);
- a few rows derived from those facts by a stated rule (DERIVED below);
- facts/documented.tsv for what the PDB types do not hold (the VA anchors,
  PTE and VA families, KDBG sizes, stack sizes, pool constants) and for the
  members of structures the facts lack or hold incomplete (no SIZE: the
  Vergilius headers end _KPCR and _KPRCB early): the first line whose
  table, field, kernel and build range match, cited by its source.

A cell none of these give is an error: nothing is guessed. The taken_from
row is the facts' build; the source row names the facts' file (at its
commit) and every documented source the column's cells used. Columns the
file does not list (hand-written from several sources) are left as they
are; listed ones are replaced or appended. With --check nothing is
written: the exit status says whether the tables hold what would be.
"""
import os
import sys

FACTS = ("facts/volatility2.tsv", "facts/vergilius.tsv", "facts/ntdiff.tsv")
COLUMNS = "facts/columns.tsv"
DOCUMENTED = "facts/documented.tsv"


def read_tsv(path):
    """The lines of a TSV file that are not comments or blank, split."""
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\n").split("\t") for l in f
                if l.strip() and not l.startswith("#")]


def num(s):
    return int(s, 16) if s.lower().startswith("0x") else int(s)


class Kernel:
    """One column's kernel: its facts and the properties rules match on."""

    def __init__(self, col, facts):
        self.name = col["name"]
        self.key = (col["facts"], col["arch"])
        self.arch = col["arch"]
        self.paging = col["paging"]
        self.build = int(col["facts"].split()[0].split(".")[2])
        self.facts = facts.get(self.key)
        if not self.facts:
            sys.exit("layouts-columns: %s: no facts for %s %s" % (self.name, *self.key))
        self.source = next(iter(self.facts.values()))["source"]
        self.facts = dict(self.facts)
        for other in [c for c in col.get("carry", "-").split(",") if c != "-"]:
            carried = facts.get((other, self.arch))
            if not carried:
                sys.exit("layouts-columns: %s: no facts for %s %s to carry over"
                         % (self.name, other, self.arch))
            # Another kernel's facts fill a structure these facts lack, or
            # the members of one they hold without its size (cut short);
            # cited as carried over unless the column serves that build too.
            served = int(col["min_build"]) <= int(other.split(".")[2]) <= int(col["max_build"])
            have = {struct for struct, _ in self.facts}
            whole = {struct for struct, m in self.facts if m == "SIZE"}
            for (struct, member), f in carried.items():
                if (struct, member) not in self.facts and \
                        (struct not in have or struct not in whole):
                    self.facts[(struct, member)] = dict(
                        f, source=("from the %s facts: %s" if served else
                                   "carried over from %s, unverified: %s") % (other, f["source"]))
        # A PAE column needs facts from a PAE kernel: an 8-byte MMPTE in the
        # MMPFN makes it 0x1c bytes, 0x18 in the non-PAE x86 kernel.
        pfn = self.facts.get(("_MMPFN", "SIZE"))
        if self.paging == "pae" and (not pfn or pfn["offset"] != "0x1c"):
            sys.exit("layouts-columns: %s: the facts for %s %s are not a PAE kernel's"
                     % (self.name, *self.key))

    def struct_source(self, struct):
        """The source of the facts of STRUCT (the kernel's, when it has none)."""
        return next((f["source"] for (s, _), f in self.facts.items() if s == struct),
                    self.source)

    def kernel_matches(self, k):
        return k == "-" or k == self.arch or k == self.paging or \
            (k == "x86-nonpae" and self.paging == "x86")

    def whole(self, struct, parents):
        """Whether the facts hold STRUCT (or the type embedding it) with
        its size: then a member they lack is one the build lacks."""
        return (struct, "SIZE") in self.facts or \
            struct in parents and (parents[struct][0], "SIZE") in self.facts

    def fact(self, struct, member, parents):
        """The facts' row of STRUCT.MEMBER, or of the type embedding STRUCT
        at offset 0 (_KPROCESS as _EPROCESS.Pcb); None when absent."""
        f = self.facts.get((struct, member))
        if f is None and struct in parents and member != "SIZE":
            parent, prefix = parents[struct]
            f = self.facts.get((parent, prefix + "." + member))
        return f


def load_facts(layouts):
    facts = {}
    for r in [r for name in FACTS for r in read_tsv(os.path.join(layouts, name))[1:]]:
        struct, field, build, arch, offset, size, bit, width, source = r[:9]
        facts.setdefault((build, arch), {})[(struct, field)] = {
            "offset": offset, "size": size, "bit": bit, "width": width,
            "type": r[9] if len(r) > 9 else "", "source": source}
    return facts


def load_pdb(layouts):
    """pdb.tsv: the lines per (table, field), the embeddings, and which
    rows give another row's size."""
    lines, parents, size_of = {}, {}, {}
    for table, field, struct, member, size, when in read_tsv(os.path.join(layouts, "pdb.tsv"))[1:]:
        if table == "-":
            parents[size] = (struct, member)
            continue
        lines.setdefault((table, field), []).append((struct, member, when))
        if size not in ("-", "ptr") and not size[0].isdigit() and not size.startswith("_"):
            size_of.setdefault((table, size), []).append(field)
    return lines, parents, size_of


def applies(when, k):
    if when == "-":
        return True
    if when in ("x86", "x64"):
        return k.arch == when
    if when.startswith(">="):
        return k.build >= int(when[2:])
    if when.startswith("<"):
        return k.build < int(when[1:])
    return False


def pdb_member(pdb_lines, table, field, k):
    for struct, member, when in pdb_lines.get((table, field), []):
        if applies(when, k):
            return struct, member
    return None


def format_fact(ftype, f):
    """A facts row as a cell of that type."""
    base = ftype.split(":")[0]
    if base == "size":
        return f["offset"]
    if base == "bits":
        if f["bit"]:
            return "%s:%s:%s" % (f["offset"], f["bit"], f["width"])
        return "%s:0:%d" % (f["offset"], int(f["size"]) * 8)
    if base == "off":
        # A member that is a bit field in this build has no offset of its
        # own (big_page.pool_type; the packed form is another row), unless
        # it starts its integer, which is read whole (the VS subsegment's
        # 15-bit Signature).
        return "-" if f["bit"] not in ("", "0") else f["offset"]
    if base in ("u8", "u16", "u32") and f["offset"] and not f["bit"]:
        return str(int(f["offset"], 16))   # a structure's size as a constant
    sys.exit("layouts-columns: a facts row for a row of type %s" % ftype)


# Rows computed from the column's other facts, each with the rule it
# follows: (table, field) -> (function of the kernel, what it says, the
# structure whose facts it reads).
def _all_ones(k, struct, member):
    f = k.fact(struct, member, {})
    if f is None:
        return None
    bits = int(f["width"]) if f["bit"] else int(f["size"]) * 8
    return "0x%x" % ((1 << bits) - 1)


DERIVED = {
    ("big_page", "packed_pool_type"): (
        lambda k: (lambda f: "-" if not f or not f["bit"] else
                   "%s:%s:%s" % (f["offset"], f["bit"], f["width"]))(
            k.fact("_POOL_TRACKER_BIG_PAGES", "PoolType", {})),
        "PoolType where it is a bit field packed with other flags", "_POOL_TRACKER_BIG_PAGES"),
    ("pool", "max_block_units"): (
        lambda k: _all_ones(k, "_POOL_HEADER", "BlockSize") and
        str(num(_all_ones(k, "_POOL_HEADER", "BlockSize"))),
        "the largest _POOL_HEADER.BlockSize", "_POOL_HEADER"),
    ("mmpfn", "list_end"): (
        lambda k: _all_ones(k, "_MMPFN", "u1.Flink"),
        "the list end is u1.Flink with every bit set (ReactOS MM_EMPTY_LIST)", "_MMPFN"),
    ("section", "ca_file_pointer_fast_ref"): (
        lambda k: k.fact("_CONTROL_AREA", "FilePointer", {}) and
        ("1" if k.fact("_CONTROL_AREA", "FilePointer", {})["type"] == "_EX_FAST_REF" else "0"),
        "_CONTROL_AREA.FilePointer's type", "_CONTROL_AREA"),
}


def load_documented(layouts):
    rows = []
    for r in read_tsv(os.path.join(layouts, DOCUMENTED))[1:]:
        table, field, kernel, lo, hi, value, source = r
        rows.append((table, field, kernel, int(lo), int(hi), value, source))
    return rows


def documented(rows, table, field, k):
    for t, f, kernel, lo, hi, value, source in rows:
        if t == table and f == field and k.kernel_matches(kernel) and lo <= k.build <= hi:
            return value, source
    return None


class Table:
    """A table file kept line by line, so that only its cells change."""

    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            self.lines = f.read().split("\n")
        self.header = next(i for i, l in enumerate(self.lines) if l and not l.startswith("#"))
        cells = self.lines[self.header].split("\t")
        self.name, self.columns = cells[0], cells[2:]

    def rows(self):
        """(line index, field, type) of every row after the header."""
        for i in range(self.header + 1, len(self.lines)):
            l = self.lines[i]
            if l and not l.startswith("#"):
                c = l.split("\t")
                yield i, c[0], c[1]

    def set_column(self, column, cells):
        """cells: field -> value, with taken_from and source."""
        if column not in self.columns:
            self.columns.append(column)
            self.lines[self.header] += "\t" + column
            for i, _, _ in self.rows():
                self.lines[i] += "\t"
        at = 2 + self.columns.index(column)
        for i, field, _ in self.rows():
            c = self.lines[i].split("\t")
            c[at] = cells[field]
            self.lines[i] = "\t".join(c)

    def text(self):
        return "\n".join(self.lines)


def column_cells(table, col, k, pdb, documented_rows):
    """Every cell of one table for one column, and the sources it used."""
    pdb_lines, parents, size_of = pdb
    cells, used = {}, []
    if table.name == "profile":   # the column is the facts' kernel
        used.append(k.source)

    def cite(s):
        if s not in used:
            used.append(s)

    for _, field, ftype in table.rows():
        if field in ("taken_from", "source"):
            continue
        value = None
        member = pdb_member(pdb_lines, table.name, field, k)
        if (table.name, field) in DERIVED:
            rule, _, struct = DERIVED[(table.name, field)]
            value = rule(k)
            if value is not None:
                cite(k.struct_source(struct))
        elif table.name == "profile":
            value = {"description": col["description"], "machine": k.arch,
                     "paging": k.paging, "build": str(k.build), "min_build": col["min_build"],
                     "max_build": col["max_build"],
                     "ptr_size": "8" if k.arch == "x64" else "4"}.get(field)
            if field == "max_build" and col["range_source"] != "-":
                cite(col["range_source"])
        elif member and member[1] != "-":
            f = k.fact(member[0], member[1], parents)
            if f or k.whole(member[0], parents):
                value = format_fact(ftype, f) if f else "-"
                cite(f["source"] if f else k.struct_source(member[0]))
        elif (table.name, field) in size_of:
            for m in size_of[(table.name, field)]:
                pm = pdb_member(pdb_lines, table.name, m, k)
                f = pm and k.fact(pm[0], pm[1], parents)
                if f and f["size"] not in ("", "0"):
                    value = f["size"]
                    cite(f["source"])
                    break
            else:
                pm = pdb_member(pdb_lines, table.name, size_of[(table.name, field)][0], k)
                if not pm or k.whole(pm[0], parents):
                    value = "-"
        if value is None:
            d = documented(documented_rows, table.name, field, k)
            if d is None:
                sys.exit("layouts-columns: %s: %s.%s: neither the facts nor %s give it"
                         % (k.name, table.name, field, DOCUMENTED))
            value = d[0]
            cite(d[1])
        cells[field] = value
    cells["taken_from"] = col["facts"]
    cells["source"] = "; ".join(used)
    return cells


def main(argv):
    args = argv[1:]
    check = bool(args) and args[0] == "--check"
    if check:
        args = args[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    layouts = args[0]
    facts = load_facts(layouts)
    pdb = load_pdb(layouts)
    documented_rows = load_documented(layouts)
    head, *rest = read_tsv(os.path.join(layouts, COLUMNS))
    columns = [dict(zip(head, r)) for r in rest]
    names = ["builds.tsv"] + sorted(n for n in os.listdir(layouts)
                                    if n.endswith(".tsv") and n not in ("builds.tsv", "pdb.tsv"))
    differ = []
    for n in names:   # every cell first, so that an error writes nothing
        table = Table(os.path.join(layouts, n))
        before = table.text()
        for col in columns:
            table.set_column(col["name"], column_cells(table, col, Kernel(col, facts), pdb,
                                                       documented_rows))
        if table.text() != before:
            differ.append(table)
    for table in differ if not check else []:
        with open(table.path, "w", encoding="utf-8") as f:
            f.write(table.text())
    if check and differ:
        sys.exit("layouts-columns: not as the facts give them: " +
                 " ".join(os.path.basename(t.path) for t in differ))


if __name__ == "__main__":
    main(sys.argv)
