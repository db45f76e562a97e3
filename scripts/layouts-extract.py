#!/usr/bin/env python3
"""Extract the structure facts kdx reads from public PDB-derived data.

Reads Volatility 2 `*_vtypes.py` files (generated from Microsoft's kernel
PDBs; github.com/volatilityfoundation/volatility, folder
volatility/plugins/overlays/windows) and prints, for every field kdx uses,
its offset (and bit position) in each build the files cover. Only facts
leave this script: the files are parsed as data, never imported or run.

    scripts/layouts-extract.py [--commit HASH] [--by-struct OUTDIR] DIR

DIR holds the fetched *_vtypes.py files; HASH is the volatility commit they
were fetched at, cited in every row. Output on stdout: one tab-separated row
per fact,
    struct  field  build  arch  offset  size  bit  width  source  type
with build as MAJOR.MINOR.BUILD[.REVISION] (or a service-pack label where
the files distinguish builds of one number), offsets in hex, bit and width
empty for whole fields, size 0 where the type has no fixed size, type the
member's vtypes type (`pointer`, `unsigned long`, `_EX_FAST_REF`, `BitField`;
empty for SIZE). A field
that a build does not have gets no row. With --by-struct, OUTDIR gets one
STRUCT.tsv per structure instead: a row per field, a column per build
(headed "BUILD ARCH", then a "source" row naming the file), cells OFFSET or
OFFSET:BIT:WIDTH, "-" where the build lacks the field.

The x86 files up to Windows 7 describe the non-PAE kernel (ntkrnlmp);
structures that hold a PTE (MMPFN, SEGMENT, MM_SESSION_SPACE) differ in
the PAE kernel most machines ran. Windows 8 and later x86 is PAE only.
"""
import ast
import os
import sys

# Which kernel each Volatility 2 file was generated from, per the profile
# classes that load it (win7.py, win8.py, win10.py, vista.py, win2003.py,
# xp.py in the same folder): file stem -> (build, arch).
SOURCES = {
    "xp_sp2_x86": ("5.1.2600 SP2", "x86"),
    "xp_sp3_x86": ("5.1.2600 SP3", "x86"),
    "win2003_sp0_x86": ("5.2.3790 SP0", "x86"),
    "win2003_sp1_x86": ("5.2.3790 SP1", "x86"),
    "win2003_sp2_x86": ("5.2.3790 SP2", "x86"),
    "win2003_sp1_x64": ("5.2.3790 SP1", "x64"),
    "win2003_sp2_x64": ("5.2.3790 SP2", "x64"),
    "vista_sp0_x86": ("6.0.6000", "x86"),
    "vista_sp1_x86": ("6.0.6001", "x86"),
    "vista_sp2_x86": ("6.0.6002", "x86"),
    "vista_sp0_x64": ("6.0.6000", "x64"),
    "vista_sp1_x64": ("6.0.6001", "x64"),
    "vista_sp2_x64": ("6.0.6002", "x64"),
    "win7_sp0_x86": ("6.1.7600", "x86"),
    "win7_sp1_x86": ("6.1.7601", "x86"),
    "win7_sp1_x86_BBA98F40": ("6.1.7601.23418", "x86"),
    "win7_sp1_x86_24000": ("6.1.7601.24000", "x86"),
    "win7_sp0_x64": ("6.1.7600", "x64"),
    "win7_sp1_x64": ("6.1.7601", "x64"),
    "win7_sp1_x64_632B36E0": ("6.1.7601.23418", "x64"),
    "win7_sp1_x64_24000": ("6.1.7601.24000", "x64"),
    "win8_sp0_x86": ("6.2.9200", "x86"),
    "win8_sp0_x64": ("6.2.9200", "x64"),
    "win8_sp1_x86": ("6.3.9600", "x86"),
    "win8_sp1_x64": ("6.3.9600", "x64"),
    "win8_sp1_x64_54B5A1C6": ("6.3.9600.18340", "x64"),
    "win81_u1_x86": ("6.3.9600.17031", "x86"),
    "win81_u1_x64": ("6.3.9600.17031", "x64"),
    "win10_x86_10240_17770": ("10.0.10240", "x86"),
    "win10_x64_10240_17770": ("10.0.10240", "x64"),
    "win10_x86_44B89EEA": ("10.0.10586", "x86"),
    "win10_x64_1AC738FB": ("10.0.10586", "x64"),
    "win10_x86_9619274A": ("10.0.14393", "x86"),
    "win10_x64_DD08DD42": ("10.0.14393", "x64"),
    "win10_x86_15063": ("10.0.15063", "x86"),
    "win10_x64_15063": ("10.0.15063", "x64"),
    "win10_x86_16299": ("10.0.16299", "x86"),
    "win10_x64_16299": ("10.0.16299", "x64"),
    "win10_x86_17134": ("10.0.17134", "x86"),
    "win10_x64_17134": ("10.0.17134", "x64"),
    "win10_x86_17763": ("10.0.17763", "x86"),
    "win10_x64_17763": ("10.0.17763", "x64"),
    "win10_x86_18362": ("10.0.18362", "x86"),
    "win10_x64_18362": ("10.0.18362", "x64"),
    "win10_x86_19041": ("10.0.19041", "x86"),
    "win10_x64_19041": ("10.0.19041", "x64"),
}

# The fields kdx reads, by their PDB names; a dotted name goes through a
# member's type, "A|B" takes the first name the build has (the same field
# under another name in other builds). SIZE is the structure's size.
FIELDS = {
    "_EPROCESS": [
        "SIZE", "Pcb.DirectoryTableBase", "Pcb.ThreadListHead",
        "Pcb.UserDirectoryTableBase", "CreateTime", "ExitTime", "UniqueProcessId",
        "ActiveProcessLinks", "SessionProcessLinks", "ObjectTable", "Token", "VadRoot",
        "InheritedFromUniqueProcessId", "Session", "ImageFileName", "ThreadListHead",
        "ActiveThreads", "Peb",
    ],
    "_KTHREAD": [
        "SIZE", "Header.Type", "InitialStack", "StackLimit", "StackBase", "KernelStack",
        "LargeStack", "State", "WaitReason", "Priority", "ApcState.Process", "Process",
        "Teb", "Win32Thread", "KernelTime", "UserTime", "ThreadListEntry",
    ],
    "_ETHREAD": [
        "SIZE", "CreateTime", "ExitTime", "Cid.UniqueProcess", "Cid.UniqueThread",
        "ThreadsProcess", "StartAddress", "Win32StartAddress", "ThreadListEntry",
        "CrossThreadFlags",
    ],
    "_KPCR": [
        "SIZE", "SelfPcr|Self", "CurrentPrcb|Prcb", "Irql", "KdVersionBlock", "Number",
        "PrcbData|Prcb",
    ],
    "_KPRCB": ["SIZE", "CurrentThread", "NextThread", "IdleThread", "Number", "DpcStack"],
    "_LDR_DATA_TABLE_ENTRY": [
        "SIZE", "InLoadOrderLinks", "InMemoryOrderLinks", "InInitializationOrderLinks",
        "DllBase", "EntryPoint", "SizeOfImage", "FullDllName", "BaseDllName", "Flags",
    ],
    "_POOL_HEADER": ["SIZE", "BlockSize", "PoolType", "PoolTag"],
    "_POOL_TRACKER_TABLE": [
        "SIZE", "Key", "NonPagedAllocs", "NonPagedFrees", "NonPagedBytes", "PagedAllocs",
        "PagedFrees", "PagedBytes",
    ],
    "_POOL_TRACKER_BIG_PAGES": [
        "SIZE", "Va", "Key", "NumberOfPages", "PoolType", "NumberOfBytes", "Pattern",
    ],
    "_POOL_DESCRIPTOR": [
        "SIZE", "PoolType", "PoolIndex", "RunningAllocs", "RunningDeAllocs", "TotalPages",
        "TotalBigPages", "TotalBytes", "PagesAllocated", "BigPagesAllocated",
        "PagesDeallocated", "BigPagesDeallocated",
    ],
    "_MM_SESSION_SPACE": [
        "SIZE", "ReferenceCount", "SessionId", "ProcessList", "PagedPoolStart",
        "PagedPoolEnd", "PageTables|PageDirectory", "PoolTrackTableExpansion",
        "PoolTrackTableExpansionSize", "PoolTrackBigPages", "PoolTrackBigPagesSize",
    ],
    "_MMPFN": [
        "SIZE", "u1.Flink", "u2.Blink", "u2.ShareCount", "PteAddress",
        "u3.ReferenceCount|u3.e2.ReferenceCount", "OriginalPte", "u3.e1.PageLocation",
        "u3.e1.Modified", "u3.e1.PrototypePte|u4.PrototypePte", "u4.PteFrame",
    ],
    "_MMPFNLIST": ["SIZE", "Total", "ListName", "Flink", "Blink"],
    "_CONTROL_AREA": [
        "SIZE", "Segment", "NumberOfSectionReferences", "NumberOfPfnReferences",
        "NumberOfMappedViews", "NumberOfUserReferences", "u", "FilePointer",
    ],
    "_SEGMENT": [
        "SIZE", "ControlArea", "TotalNumberOfPtes", "SizeOfSegment",
        "NumberOfCommittedPages", "PrototypePte", "ThePtes",
    ],
    "_SUBSECTION": [
        "SIZE", "ControlArea", "SubsectionBase", "NextSubsection", "PtesInSubsection",
        "StartingSector", "NumberOfFullSectors",
    ],
    "_FILE_OBJECT": ["SIZE", "Type", "DeviceObject", "SectionObjectPointer", "FileName"],
    "_MM_DRIVER_VERIFIER_DATA": [
        "SIZE", "Level", "RaiseIrqls", "AcquireSpinLocks", "SynchronizeExecutions",
        "AllocationsAttempted", "AllocationsSucceeded", "AllocationsSucceededSpecialPool",
        "AllocationsWithNoTag", "TrimRequests", "Trims", "AllocationsFailed",
        "AllocationsFailedDeliberately", "Loads", "Unloads", "UnTrackedPool", "UserTrims",
        "CurrentPagedPoolAllocations", "CurrentNonPagedPoolAllocations",
        "PeakPagedPoolAllocations", "PeakNonPagedPoolAllocations", "PagedBytes",
        "NonPagedBytes", "PeakPagedBytes", "PeakNonPagedBytes",
        "BurstAllocationsFailedDeliberately", "SessionTrims", "OptionChanges", "VerifyMode",
        "ActivityCounter", "PreviousActivityCounter", "WorkerTrimRequests",
        "ExecutePoolTypes", "ExecutePageProtections", "ExecutePageMappings",
        "ExecuteWriteSections", "SectionAlignmentFailures", "IATInExecutableSection",
    ],
}

SCALARS = {
    "char": 1, "unsigned char": 1, "short": 2, "unsigned short": 2, "wchar": 2,
    "long": 4, "unsigned long": 4, "int": 4, "unsigned int": 4, "float": 4,
    "long long": 8, "unsigned long long": 8, "double": 8, "pointer32": 4,
    "pointer64": 8, "address": 4,
}


def literal(node):
    """A Python literal, with dict(...) calls taken as dicts (the vtypes
    files write bit fields that way)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == "dict" and not node.args:
        return {k.arg: literal(k.value) for k in node.keywords}
    if isinstance(node, ast.Dict):
        return {literal(k): literal(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, (ast.List, ast.Tuple)):
        return [literal(e) for e in node.elts]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -literal(node.operand)
    if isinstance(node, ast.Constant):
        return node.value
    raise ValueError("not a literal at line %d" % getattr(node, "lineno", 0))


def load_types(path):
    """The first top-level NAME = {...} assignment of a vtypes file."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Dict):
            return literal(stmt.value)
    raise ValueError("%s: no type dictionary" % path)


def type_size(types, t, ptr):
    """Bytes a vtypes type description occupies (0 when unknown)."""
    kind = t[0]
    if kind == "pointer":
        return ptr
    if kind in SCALARS:
        return SCALARS[kind]
    if kind == "array":
        return t[1] * type_size(types, t[2], ptr)
    if kind in ("BitField", "Enumeration"):
        return SCALARS.get(t[1].get("native_type", t[1].get("target", "")), 0)
    if kind in types:
        return types[kind][0]
    return 0


def resolve(types, struct, path, ptr):
    """(offset, size, bit, width, type) of a dotted field path, or None."""
    offset = 0
    for i, name in enumerate(path.split(".")):
        members = types.get(struct, [0, {}])[1]
        if name not in members:
            return None
        off, t = members[name]
        offset += off
        last = i == len(path.split(".")) - 1
        if last:
            if t[0] == "BitField":
                b = t[1]
                return offset, type_size(types, t, ptr), b["start_bit"], \
                    b["end_bit"] - b["start_bit"], t[0]
            return offset, type_size(types, t, ptr), None, None, t[0]
        struct = t[0]
        if struct not in types:
            return None
    return None


def facts(folder_path, commit):
    """Every fact, in SOURCES order, as tuples of the output columns."""
    folder = "volatility/plugins/overlays/windows/"
    for stem, (build, arch) in SOURCES.items():
        path = os.path.join(folder_path, stem + "_vtypes.py")
        if not os.path.exists(path):
            print("layouts-extract: %s: missing, skipped" % path, file=sys.stderr)
            continue
        types = load_types(path)
        ptr = 8 if arch == "x64" else 4
        source = "volatility@%s:%s%s_vtypes.py" % (commit, folder, stem)
        for struct, fields in FIELDS.items():
            if struct not in types:
                continue
            for spec in fields:
                if spec == "SIZE":
                    yield struct, "SIZE", build, arch, "0x%x" % types[struct][0], "", "", "", \
                        source, ""
                    continue
                for name in spec.split("|"):
                    fact = resolve(types, struct, name, ptr)
                    if fact:
                        off, size, bit, width, kind = fact
                        yield struct, name, build, arch, "0x%x" % off, str(size), \
                            "" if bit is None else str(bit), \
                            "" if width is None else str(width), source, kind
                        break


def write_by_struct(rows, outdir):
    """One STRUCT.tsv per structure: fields down, builds across."""
    os.makedirs(outdir, exist_ok=True)
    for struct in FIELDS:
        mine = [r for r in rows if r[0] == struct]
        columns, sources, cells, fields = [], {}, {}, []
        for r in mine:
            col = "%s %s" % (r[2], r[3])
            if col not in sources:
                columns.append(col)
                sources[col] = r[8]
            if r[1] not in fields:
                fields.append(r[1])
            cells[(r[1], col)] = r[4] if not r[6] else "%s:%s:%s" % (r[4], r[6], r[7])
        with open(os.path.join(outdir, struct + ".tsv"), "w", encoding="utf-8") as f:
            f.write("\t".join(["field"] + columns) + "\n")
            f.write("\t".join(["source"] + [sources[c] for c in columns]) + "\n")
            for field in fields:
                f.write("\t".join([field] + [cells.get((field, c), "-") for c in columns]) + "\n")


def main(argv):
    args = argv[1:]
    commit, outdir = "HEAD", None
    while len(args) > 1 and args[0] in ("--commit", "--by-struct"):
        if args[0] == "--commit":
            commit = args[1]
        else:
            outdir = args[1]
        args = args[2:]
    if len(args) != 1:
        sys.exit(__doc__)
    rows = list(facts(args[0], commit))
    if outdir:
        write_by_struct(rows, outdir)
        return
    print("struct\tfield\tbuild\tarch\toffset\tsize\tbit\twidth\tsource\ttype")
    for r in rows:
        print("\t".join(r))


if __name__ == "__main__":
    main(sys.argv)
