"""Compacting the CJK fonts WeasyPrint embeds, so that a one-page form stays small.

WeasyPrint subsets fonts but keeps glyph ids (``HB_SUBSET_FLAGS_RETAIN_GIDS``), so a subset
of Noto Serif CJK still carries an empty entry for every glyph id below the highest one used —
up to 65 535 of them, about 170 KB per face whatever the text. Noto CJK's CFF is CID-keyed
(Adobe-Identity-0) and HarfBuzz keeps each glyph's CID in the subset's charset, so subsetting
again *without* retaining glyph ids leaves every CID in the page content, widths and ToUnicode
map valid while dropping the empty entries. Fonts that are not CID-keyed CFF are left alone.

Uses libharfbuzz-subset through ctypes (WeasyPrint's own cffi bindings lack the blob and face
constructors); without the library nothing is compacted and the PDF is merely larger.
"""

import ctypes
import ctypes.util
import functools
import logging
import struct

logger = logging.getLogger(__name__)

HB_MEMORY_MODE_READONLY = 1
HB_SUBSET_FLAGS_NO_HINTING = 0x1
HB_SUBSET_FLAGS_DESUBROUTINIZE = 0x4
HB_SUBSET_FLAGS_NOTDEF_OUTLINE = 0x40
HB_SUBSET_SETS_DROP_TABLE_TAG = 3
DROP_TABLES = (b"BASE", b"DSIG", b"GPOS", b"GSUB", b"JSTF", b"VORG", b"vhea", b"vmtx", b"SVG ")


@functools.cache
def _harfbuzz():
    path = ctypes.util.find_library("harfbuzz-subset")
    if path is None:
        return None
    lib = ctypes.CDLL(path)  # links libharfbuzz, whose symbols it re-exports
    vp = ctypes.c_void_p
    signatures = {
        "hb_blob_create": (vp, [ctypes.c_char_p, ctypes.c_uint, ctypes.c_int, vp, vp]),
        "hb_blob_destroy": (None, [vp]),
        "hb_blob_get_data": (vp, [vp, ctypes.POINTER(ctypes.c_uint)]),
        "hb_face_create": (vp, [vp, ctypes.c_uint]),
        "hb_face_destroy": (None, [vp]),
        "hb_face_reference_blob": (vp, [vp]),
        "hb_set_add": (None, [vp, ctypes.c_uint32]),
        "hb_tag_from_string": (ctypes.c_uint32, [ctypes.c_char_p, ctypes.c_int]),
        "hb_subset_input_create_or_fail": (vp, []),
        "hb_subset_input_destroy": (None, [vp]),
        "hb_subset_input_glyph_set": (vp, [vp]),
        "hb_subset_input_set": (vp, [vp, ctypes.c_int]),
        "hb_subset_input_set_flags": (None, [vp, ctypes.c_uint]),
        "hb_subset_or_fail": (vp, [vp, vp]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


def _cff_table(data: bytes) -> bytes | None:
    if data[:4] != b"OTTO":
        return None
    (num_tables,) = struct.unpack_from(">H", data, 4)
    for i in range(num_tables):
        tag, _checksum, offset, length = struct.unpack_from(">4sLLL", data, 12 + 16 * i)
        if tag == b"CFF ":
            return data[offset : offset + length]
    return None


def _index(cff: bytes, position: int) -> tuple[list[bytes], int]:
    """The items of the CFF INDEX at ``position`` and the position after it."""
    (count,) = struct.unpack_from(">H", cff, position)
    if count == 0:
        return [], position + 2
    off_size = cff[position + 2]
    offsets = [
        int.from_bytes(cff[position + 3 + i * off_size : position + 3 + (i + 1) * off_size])
        for i in range(count + 1)
    ]
    base = position + 2 + (count + 1) * off_size
    items = [cff[base + offsets[i] : base + offsets[i + 1]] for i in range(count)]
    return items, base + offsets[-1]


def _dict_operators(data: bytes) -> set[int]:
    """The operators of a CFF DICT (escaped ones as 1200 + n)."""
    operators, i = set(), 0
    while i < len(data):
        b0 = data[i]
        if b0 == 12:
            operators.add(1200 + data[i + 1])
            i += 2
        elif b0 <= 21:
            operators.add(b0)
            i += 1
        elif b0 == 28:
            i += 3
        elif b0 == 29:
            i += 5
        elif b0 == 30:  # real number: nibbles up to 0xf
            i += 1
            while i < len(data) and (data[i] & 0x0F) != 0x0F and (data[i] >> 4) != 0x0F:
                i += 1
            i += 1
        elif 32 <= b0 <= 246:
            i += 1
        elif 247 <= b0 <= 254:
            i += 2
        else:
            i += 1
    return operators


def is_cid_keyed_cff(data: bytes) -> bool:
    """An OpenType font with CFF outlines whose top dict has a ROS operator (CID-keyed)."""
    try:
        cff = _cff_table(data)
        if not cff:
            return False
        _names, position = _index(cff, cff[2])
        top_dicts, _position = _index(cff, position)
        return bool(top_dicts) and 1230 in _dict_operators(top_dicts[0])
    except (struct.error, IndexError):
        return False


def compact(data: bytes, glyph_ids: set[int]) -> bytes | None:
    """``data`` subset to ``glyph_ids`` with new, dense glyph ids; None when not possible."""
    hb = _harfbuzz()
    if hb is None or not is_cid_keyed_cff(data):
        return None
    blob = hb.hb_blob_create(data, len(data), HB_MEMORY_MODE_READONLY, None, None)
    face = hb.hb_face_create(blob, 0)
    subset_input = hb.hb_subset_input_create_or_fail()
    subset_face = None
    try:
        if not subset_input:
            return None
        glyphs = hb.hb_subset_input_glyph_set(subset_input)
        for glyph_id in sorted(glyph_ids | {0}):
            hb.hb_set_add(glyphs, glyph_id)
        drop = hb.hb_subset_input_set(subset_input, HB_SUBSET_SETS_DROP_TABLE_TAG)
        for tag in DROP_TABLES:
            hb.hb_set_add(drop, hb.hb_tag_from_string(tag, -1))
        hb.hb_subset_input_set_flags(
            subset_input, HB_SUBSET_FLAGS_DESUBROUTINIZE | HB_SUBSET_FLAGS_NO_HINTING
        )
        subset_face = hb.hb_subset_or_fail(face, subset_input)
        if not subset_face:
            return None
        out_blob = hb.hb_face_reference_blob(subset_face)
        length = ctypes.c_uint()
        pointer = hb.hb_blob_get_data(out_blob, ctypes.byref(length))
        result = ctypes.string_at(pointer, length.value) if pointer else None
        hb.hb_blob_destroy(out_blob)
        return result
    finally:
        if subset_face:
            hb.hb_face_destroy(subset_face)
        if subset_input:
            hb.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def compact_fonts(document, pdf) -> None:
    """A WeasyPrint ``finisher``: replace each embedded CID-keyed CFF subset by its compact
    form. ``document.fonts`` holds the subset bytes WeasyPrint put into the font streams."""
    streams = {}
    for obj in pdf.objects:
        content = getattr(obj, "stream", None)
        if isinstance(content, list) and len(content) == 1 and isinstance(content[0], bytes):
            streams.setdefault(id(content[0]), obj)
    for font in document.fonts.values():
        stream = streams.get(id(font.file_content))
        if stream is None:
            continue
        compacted = compact(font.file_content, set(font.to_unicode))
        cff = _cff_table(compacted) if compacted else None
        if cff:
            # A bare CID-keyed CFF (FontFile3 /CIDFontType0C): every PDF reader maps CIDs to
            # glyphs through its charset, which is what keeps the CIDs valid after compaction.
            stream.stream = [cff]
            stream.extra["Subtype"] = "/CIDFontType0C"
