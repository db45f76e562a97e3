#!/usr/bin/env python3
"""Extract the structure facts kdx reads from public PDB-derived data.

Reads Volatility 2 `*_vtypes.py` files (generated from Microsoft's kernel
PDBs; github.com/volatilityfoundation/volatility, folder
volatility/plugins/overlays/windows) and prints, for every field kdx uses,
its offset (and bit position) in each build the files cover. Only facts
leave this script: the files are parsed as data, never imported or run.

    scripts/layouts-extract.py [--commit HASH] [--by-struct OUTDIR] DIR
    scripts/layouts-extract.py --headers [--commit HASH] FILE.h...
    scripts/layouts-extract.py --ntdiff [--commit HASH] ROOT/BUILD/ARCH/.../_TYPE.h...

DIR holds the fetched *_vtypes.py files; HASH is the volatility commit they
were fetched at, cited in every row. With --headers, the files are instead
the per-build C headers of the Vergilius Project's data
(github.com/novafacing/vergilius-rs, headers/bindings-BUILD-ARCH.h, one
struct per PDB type, each member commented with its offset), and HASH is
that repository's commit. With --ntdiff, the files are ntdiff/headers'
per-build, per-type headers (github.com/ntdiff/headers,
BUILD/ARCH/System32/ntoskrnl.exe/Standalone/_TYPE.h, pdbex output: every
member commented with its offset from the start of its outermost type, bit
fields with their bit position), named by their path in that repository
(any leading directories are dropped up to the BUILD folder NTDIFF_BUILDS
knows); each file gives the facts of its own type, citing that file. The
folders come from different commits: one run per commit, the rows of later
runs appended without their header line. Output on stdout: one tab-separated row
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
import re
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
    "_HEAP_PAGE_SEGMENT": ["SIZE", "Signature"],
    "_HEAP_PAGE_RANGE_DESCRIPTOR": ["SIZE", "RangeFlags", "UnitSize"],
    "_HEAP_LFH_SUBSEGMENT": ["SIZE", "BlockOffsets", "BlockBitmap"],
    "_HEAP_VS_SUBSEGMENT": ["SIZE", "Size", "Signature"],
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


# The headers' integer typedefs, as the vtypes scalar names above.
C_SCALARS = {
    "uint8_t": "unsigned char", "int8_t": "char", "uint16_t": "unsigned short",
    "int16_t": "short", "uint32_t": "unsigned long", "int32_t": "long",
    "uint64_t": "unsigned long long", "int64_t": "long long", "float": "float",
    "double": "double", "void": "void",
}
SIZE_COMMENT = re.compile(r"^// 0x([0-9a-f]+) \(\d+\) bytes$")
OFFSET_COMMENT = re.compile(r"//\s*offset:\s*0x([0-9a-f]+)")
MEMBER = re.compile(r"^(?P<type>.*?)(?P<name>[A-Za-z_]\w*)\s*(?P<dims>(\[\d+\]\s*)*)"
                    r"\s*(:\s*(?P<bits>\d+))?$")
FUNCTION_POINTER = re.compile(r"^.*?\(\s*\*\s*(\w+)\s*((\[\d+\]\s*)*)\)")


class Block:
    """A struct or union being read: its members in order, and where the
    last run of bit fields stands (the headers give every bit field its
    storage unit's offset, not its bit: the bits are counted here)."""

    def __init__(self, name):
        self.name, self.members, self.run = name, [], None

    def add(self, name, off, desc, bits=None):
        if bits is None:
            self.run = None
        else:
            native = desc[0]
            unit = 8 * SCALARS.get(native, 0)
            start = 0
            if self.run and self.run[:2] == (off, native) and self.run[2] + bits <= unit:
                start = self.run[2]
            self.run = (off, native, start + bits)
            desc = ["BitField", {"start_bit": start, "end_bit": start + bits,
                                 "native_type": native}]
        self.members.append((name, off, desc))


def with_dims(desc, dims):
    """DESC as the element of the array DIMS declares ("[2][64]")."""
    for n in reversed([int(d) for d in re.findall(r"\[(\d+)\]", dims)]):
        desc = ["array", n, desc]
    return desc


# Pointers by their vtypes names, as the facts' type column gives them.
POINTER = {4: "pointer", 8: "pointer64"}


def header_type(text, typedefs, ptr):
    """The vtypes description of a member's declared type."""
    words = [w for w in re.split(r"[\s*]+", text) if w and w not in ("const", "volatile")]
    if "*" in text or "(" in text:
        return [POINTER[ptr], ["void"]]
    if words[0] == "enum":
        return ["Enumeration", {"target": "long"}]
    if words[0] in ("struct", "union"):
        return [words[1]]
    base = typedefs.get(words[-1], words[-1])
    return [C_SCALARS.get(base, base)]


def load_header(path, ptr):
    """The types of one bindings header, as load_types gives a vtypes file's:
    {struct: [size, {member: [offset, description]}]}. A member declared in
    an anonymous struct or union belongs to the enclosing one (C's rule); a
    named inline one becomes the type STRUCT.MEMBER."""
    types, typedefs, stack, size, stmt, in_enum = {}, {}, [], 0, "", False
    with open(path, encoding="utf-8") as f:
        lines = [line.strip() for line in f.read().split("\n")]
    wrapped = 0
    for i, line in enumerate(lines):
        if wrapped and line.startswith("//"):
            wrapped -= 1
            continue
        wrapped = 0
        if line.startswith("#"):
            continue
        if "// offset:" in line and not OFFSET_COMMENT.search(line):
            # A comment wrapped onto the lines below.
            more = [c[2:] for c in lines[i + 1:i + 3] if c.startswith("//")]
            line, wrapped = " ".join([line] + more), len(more)
        if in_enum:
            if not line.startswith("}"):
                continue
            in_enum = False
            if not stack:
                continue
            line = "enum _" + line[1:]   # an inline enum's member
        m = SIZE_COMMENT.match(line)
        if m and not stack:
            size = int(m.group(1), 16)
            continue
        m = OFFSET_COMMENT.search(line)
        off = int(m.group(1), 16) if m else None
        stmt = (stmt + " " + re.sub(r"//.*", "", line).strip()).strip()
        if not stmt.endswith((";", "{")):
            continue
        s, stmt = stmt, ""
        if re.match(r"^(struct|union|enum)\s+\w+\s*;$", s) and not stack:
            continue   # a declaration
        m = re.match(r"^typedef (.*) (\w+);$", s)
        if m and not stack:
            typedefs[m.group(2)] = m.group(1)
            continue
        m = re.match(r"^(struct|union|enum)\s+(\w+)\s*\{\s*(\}\s*;)?$", s)
        if m and not stack:
            if m.group(1) == "enum":
                in_enum = not m.group(3)
            else:
                types[m.group(2)] = [size, {}]
                if not m.group(3):
                    stack.append(Block(m.group(2)))
            continue
        if re.match(r"^(struct|union)\s*\{$", s):
            stack.append(Block(None))
            continue
        if s == "enum {":
            in_enum = True
            continue
        m = re.match(r"^\}\s*(\w+)?\s*((\[\d+\])*)\s*;$", s)
        if m:
            block = stack.pop()
            if not stack:
                types[block.name][1] = {n: [o, d] for n, o, d in block.members}
                continue
            parent = stack[-1]
            parent.run = None
            if m.group(1) is None:
                parent.members.extend(block.members)
                continue
            # A named inline struct or union: the headers give its members'
            # offsets from its own start in some types, from the outer
            # type's in others (then none is below the member's own).
            name = "%s.%s" % (parent.name, m.group(1))
            base = off if min(o for _, o, _ in block.members) >= off else 0
            members = {n: [o - base, d] for n, o, d in block.members}
            types[name] = [max(o + type_size(types, d, ptr) for o, d in members.values()),
                           members]
            parent.add(m.group(1), off, with_dims([name], m.group(2)))
            continue
        m = FUNCTION_POINTER.match(s) or MEMBER.match(s.rstrip(";").strip())
        if not stack or not m or off is None:
            raise ValueError("%s: cannot read %r" % (path, s))
        if m.re is MEMBER:
            bits = m.group("bits")
            desc = with_dims(header_type(m.group("type"), typedefs, ptr), m.group("dims"))
            stack[-1].add(m.group("name"), off, desc, int(bits) if bits else None)
        else:
            stack[-1].add(m.group(1), off, with_dims([POINTER[ptr], ["void"]], m.group(2)))
    return types


# ntdiff/headers' build folders, by the kernel they were generated from
# (the folder names give the release; the build number is Microsoft's for it).
NTDIFF_BUILDS = {
    "Win11_2209_22H2": "10.0.22621",
    "Win11_2409_24H2": "10.0.26100",
}
PDBEX_SCALARS = {
    "unsigned __int64": "unsigned long long", "__int64": "long long",
    "unsigned long": "unsigned long", "long": "long", "unsigned int": "unsigned int",
    "int": "int", "unsigned short": "unsigned short", "short": "short",
    "wchar_t": "wchar", "unsigned char": "unsigned char", "char": "char",
    "float": "float", "double": "double",
}
PDBEX_MEMBER = re.compile(r"^/\* 0x([0-9a-f]+) \*/ (.*?);(\s*/\* bit position: (\d+) \*/)?$")
PDBEX_DECL = re.compile(r"^(?P<type>.*?)\s*\b(?P<name>\w+)\s*(?P<dims>(\[\d+\])*)\s*"
                        r"(:\s*(?P<bits>\d+))?$")
PDBEX_SIZE = re.compile(r"/\* size: 0x([0-9a-f]+) \*/")


def pdbex_type(text, ptr):
    """The vtypes description of a pdbex member's declared type."""
    text = re.sub(r"\b(volatile|const)\b", "", text).strip()
    if "*" in text:
        return [POINTER[ptr], ["void"]]
    words = text.split()
    if words[0] == "enum":
        return ["Enumeration", {"target": "long"}]
    if words[0] in ("struct", "union"):
        return [words[1]]
    return [PDBEX_SCALARS.get(" ".join(words), " ".join(words))]


def load_pdbex(path, ptr):
    """The types of one ntdiff header, as load_types gives a vtypes file's.
    Offsets in the headers count from the outermost type: a named inline
    struct or union (`} /* size */ u3;`) becomes the type OUTER.u3 with its
    members' offsets made relative to its own start."""
    types, stack, name, in_enum = {}, [], None, False
    with open(path, encoding="utf-8") as f:
        lines = [l.strip() for l in f]
    for line in lines:
        if in_enum:
            in_enum = not line.startswith("}")
            continue
        m = re.match(r"^typedef (struct|union|enum) (\w+)$", line)
        if m:
            in_enum, name = m.group(1) == "enum", m.group(2)
            continue
        if line in ("struct", "union", "struct /* bitfield */") or not line:
            continue
        if line == "{":
            stack.append(Block(name if not stack else None))
            continue
        if line.startswith("}"):
            block = stack.pop()
            size = PDBEX_SIZE.search(line)
            members = {}
            for n, o, d in block.members:
                members.setdefault(n, [o, d])
            if not stack:
                types[block.name] = [int(size.group(1), 16) if size else 0, members]
                continue
            m = re.match(r"^\}\s*(/\*.*?\*/)?\s*(\w+)\s*;$", line)
            if not m:   # anonymous: its members are the enclosing type's
                stack[-1].members.extend(block.members)
                continue
            base = min(o for _, o, _ in block.members)
            inner = "%s.%s" % (stack[0].name, m.group(2))
            types[inner] = [int(size.group(1), 16) if size else 0,
                            {n: [o - base, d] for n, (o, d) in members.items()}]
            stack[-1].members.append((m.group(2), base, [inner]))
            continue
        m = PDBEX_MEMBER.match(re.sub(r"\s*/\* function \*/", "", line))
        d = m and PDBEX_DECL.match(m.group(2))
        if not stack or not d:
            raise ValueError("%s: cannot read %r" % (path, line))
        off, desc = int(m.group(1), 16), pdbex_type(d.group("type"), ptr)
        if d.group("bits"):
            start = int(m.group(4))
            desc = ["BitField", {"start_bit": start, "end_bit": start + int(d.group("bits")),
                                 "native_type": desc[0]}]
        stack[-1].members.append((d.group("name"), off, with_dims(desc, d.group("dims"))))
    return types


def ntdiff_facts(paths, commit):
    """The facts of ntdiff headers, each citing its file: a file's own type,
    and the types it defines whole that no file of their own gives (the
    _KTHREAD inside _ETHREAD.h)."""
    own, embedded = {}, {}
    for path in paths:
        parts = path.split(os.sep)
        at = next((i for i, p in enumerate(parts) if p in NTDIFF_BUILDS), None)
        if at is None or len(parts) < at + 2 or parts[at + 1] not in ("x86", "x64"):
            sys.exit("layouts-extract: %s: not under a known ntdiff BUILD/ARCH folder" % path)
        build, arch = NTDIFF_BUILDS[parts[at]], parts[at + 1]
        struct = os.path.splitext(parts[-1])[0]
        source = "ntdiff/headers@%s:%s" % (commit, "/".join(parts[at:]))
        rows = list(field_facts(load_pdbex(path, 8 if arch == "x64" else 4), build, arch, source))
        # A _KPRCB without its DpcStack was cut short (ntoskrnl's public
        # symbols end it at ProcessorState): its size and its _KPCR's are
        # not the kernel's.
        if not any(r[:2] == ("_KPRCB", "DpcStack") for r in rows):
            rows = [r for r in rows if not (r[0] in CUT_SHORT and r[1] == "SIZE")]
        for r in rows:
            (own if r[0] == struct else embedded).setdefault((build, arch, r[0]), []).append(r)
    for _, rows in list(own.items()) + [kv for kv in embedded.items() if kv[0] not in own]:
        yield from rows


def field_facts(types, build, arch, source):
    """The facts of one build's types, as tuples of the output columns."""
    ptr = 8 if arch == "x64" else 4
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


def facts(folder_path, commit):
    """Every fact of the vtypes files, in SOURCES order."""
    folder = "volatility/plugins/overlays/windows/"
    for stem, (build, arch) in SOURCES.items():
        path = os.path.join(folder_path, stem + "_vtypes.py")
        if not os.path.exists(path):
            print("layouts-extract: %s: missing, skipped" % path, file=sys.stderr)
            continue
        source = "volatility@%s:%s%s_vtypes.py" % (commit, folder, stem)
        yield from field_facts(load_types(path), build, arch, source)


# The headers end these two structures early (_KPCR before its Prcb, _KPRCB
# after its ProcessorState), so their sizes are not the PDB's; the members
# they do give agree with Volatility 2's facts.
CUT_SHORT = ("_KPCR", "_KPRCB")


def header_facts(paths, commit):
    """Every fact of the bindings headers, named bindings-BUILD-ARCH.h."""
    for path in paths:
        m = re.match(r"^bindings-([\d.]+)-(x86|x64)\.h$", os.path.basename(path))
        if not m:
            sys.exit("layouts-extract: %s: not a bindings-BUILD-ARCH.h header" % path)
        build, arch = m.groups()
        source = "vergilius-rs@%s:headers/%s" % (commit, os.path.basename(path))
        for fact in field_facts(load_header(path, 8 if arch == "x64" else 4), build, arch, source):
            if not (fact[0] in CUT_SHORT and fact[1] == "SIZE"):
                yield fact


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
    commit, outdir, headers = "HEAD", None, False
    while args and args[0] in ("--commit", "--by-struct", "--headers", "--ntdiff"):
        if args[0] in ("--headers", "--ntdiff"):
            headers, args = args[0], args[1:]
            continue
        if len(args) < 2:
            sys.exit(__doc__)
        if args[0] == "--commit":
            commit = args[1]
        else:
            outdir = args[1]
        args = args[2:]
    if not args or len(args) != 1 and not headers:
        sys.exit(__doc__)
    reader = {"--headers": header_facts, "--ntdiff": ntdiff_facts}.get(headers)
    rows = list(reader(args, commit) if reader else facts(args[0], commit))
    if outdir:
        write_by_struct(rows, outdir)
        return
    print("struct\tfield\tbuild\tarch\toffset\tsize\tbit\twidth\tsource\ttype")
    for r in rows:
        print("\t".join(r))


if __name__ == "__main__":
    main(sys.argv)
