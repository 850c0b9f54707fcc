"""From nfelib's bindings to XML and back to words: serialisation into an lxml tree, and the XSD
validation with nfelib's schemas, whose errors name the field.

**Serialisation.** xsdata (nfelib's binding library) walks a binding and emits events (start,
attribute, data, end) in the XSD's order; its ``XmlSerializer`` feeds them to a SAX writer that
produces text, which validation and signing would then parse again. ``to_tree`` feeds the same
events straight into lxml's ``TreeBuilder`` (C), so the document is built once as a tree that is
validated, signed and written out. It takes the plain events of elements and unqualified
attributes; an event it does not take (a qualified attribute such as ``xsi:type`` or
``xsi:nil``) makes it fall back to xsdata's own serializer, so the output is always xsdata's.
``tests/fiscal/test_xmlio.py`` checks that both give the same bytes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import nfelib
from lxml import etree
from xsdata.formats.converter import converter
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.serializers import XmlSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig
from xsdata.formats.dataclass.serializers.mixins import EventGenerator
from xsdata.utils import namespaces

NS = "http://www.portalfiscal.inf.br/nfcom"
SCHEMAS = Path(nfelib.__file__).parent / "nfcom" / "schemas" / "v1_0"

_config = SerializerConfig(indent=None, xml_declaration=False)
_context = XmlContext()
_serializer = XmlSerializer(config=_config, context=_context)
_events = EventGenerator(context=_context, config=_config)


class _Unsupported(Exception):
    """An event the tree builder does not take (qualified attribute): use xsdata's serializer."""


def _text(value) -> str:
    return value if value.__class__ is str else converter.serialize(value)


class _Builder:
    """xsdata's events into lxml's ``TreeBuilder``.

    ``events`` takes any of xsdata's events. ``dataclass`` is a shortcut for the plain parts of a
    binding — unqualified attributes and elements in the XSD's order, whose values are text or
    bindings of the declared type — that emits what xsdata's ``EventGenerator.convert_dataclass``
    emits without its chain of nested generators (most of the time xsdata takes). Any other part
    (wildcards, choices, sequences, wrappers, nillable or ``xs:anyType`` elements, non-text values,
    derived types) goes through xsdata's generator.
    """

    def __init__(self, ns: str):
        self.tree = etree.TreeBuilder()
        self.nsmap: dict | None = {None: ns}
        self.pending: str | None = None
        self.attrs: dict = {}

    def _open(self):
        self.tree.start(self.pending, self.attrs, self.nsmap)
        self.nsmap, self.attrs, self.pending = None, {}, None

    def events(self, events):
        tree = self.tree
        for event in events:
            kind = event[0]
            if kind == "attr":
                name = event[1]
                if name[0] == "{":
                    raise _Unsupported(name)
                self.attrs[name] = _text(event[2])
                continue
            if self.pending is not None:
                self._open()
            if kind == "start":
                self.pending = event[1]
            elif kind == "data":
                if event[1] is not None and event[1] != "":
                    tree.data(_text(event[1]))
            else:
                tree.end(event[1])

    def dataclass(self, obj, namespace: str | None = None, qname: str | None = None):
        plan = _plan(obj.__class__, namespace)
        if plan is None:
            self.events(_events.convert_dataclass(obj, namespace, qname))
            return
        own_qname, attributes, elements = plan
        qname = qname or own_qname
        child_ns = namespaces.split_qname(qname)[0]
        if self.pending is not None:
            self._open()
        self.pending = qname
        for name, attr_qname in attributes:
            value = getattr(obj, name)
            if value is not None:
                self.attrs[attr_qname] = _text(value)
        tree = self.tree
        for var in elements:
            value = getattr(obj, var.name)
            if value is None:
                continue
            for item in value if var.list_element and value.__class__ is list else (value,):
                if item.__class__ is str:
                    if self.pending is not None:
                        self._open()
                    tree.start(var.qname, {})
                    if item:
                        tree.data(item)
                    tree.end(var.qname)
                elif item.__class__ in var.types:
                    self.dataclass(item, child_ns, var.qname)
                elif item is not None:
                    self.events(_events.convert_value(item, var, child_ns))
        if self.pending is not None:
            self._open()
        self.tree.end(qname)


@functools.cache
def _plan(cls, namespace: str | None):
    """(qname, [(field, attribute name)], [element vars]) of a binding class whose parts are all
    plain (see ``_Builder``), else None."""
    meta = _context.build(cls, namespace, globalns=_config.globalns)
    if meta.nillable or meta.wildcards or meta.choices or meta.any_attributes or meta.text:
        return None
    attributes = []
    for var in meta.get_attribute_vars():
        if not var.is_attribute or var.qname[0] == "{" or var.tokens:
            return None
        attributes.append((var.name, var.qname))
    elements = meta.get_element_vars()
    for var in elements:
        plain = var.is_element and not (var.nillable or var.any_type or var.mixed or var.tokens)
        if not plain or var.sequence is not None or var.wrapper_qname:
            return None
    return meta.qname, attributes, elements


def to_tree(obj, ns: str = NS) -> etree._Element:
    """The binding ``obj`` as an lxml element (default namespace ``ns``)."""
    builder = _Builder(ns)
    try:
        builder.dataclass(obj)
        return builder.tree.close()
    except _Unsupported:
        return etree.fromstring(to_xml(obj, ns).encode())


def to_xml(obj, ns: str = NS) -> str:
    """The binding ``obj`` as text, by xsdata's serializer."""
    return _serializer.render(obj, ns_map={None: ns})


@functools.cache
def schema(name: str = "nfcom_v1.00.xsd") -> etree.XMLSchema:
    """nfelib's XSD, parsed once per process (compiling it costs far more than using it)."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


LABELS = {
    "cMun": "municipality IBGE code",
    "cMunFG": "emitter's municipality IBGE code",
    "CEP": "CEP",
    "CNPJ": "CNPJ",
    "CPF": "CPF",
    "IE": "state registration (IE)",
    "xLgr": "street",
    "nro": "number",
    "xBairro": "neighbourhood",
    "xMun": "municipality name",
    "UF": "state (UF)",
    "xNome": "name",
    "cClass": "service classification (cClass)",
    "CFOP": "CFOP",
    "codBarras": "boleto digitable line",
}


@dataclass(frozen=True)
class SchemaError:
    path: str  # e.g. NFCom/infNFCom/dest/enderDest/cMun
    field: str  # the last element, e.g. cMun
    message: str  # lxml's message

    def __str__(self) -> str:
        label = LABELS.get(self.field)
        where = self.path + (f" ({label})" if label else "")
        return f"{where}: {self.message}"


_TAG = re.compile(r"\{[^}]*\}")
_ELEMENT = re.compile(r"Element '(?:\{[^}]*\})?([A-Za-z0-9]+)'")


def _real_path(tree, xpath: str | None) -> str:
    """lxml reports ``/*/*[1]/*[4]``; name the elements instead (``NFCom/infNFCom/dest``)."""
    try:
        found = tree.xpath(xpath) if xpath else []
    except etree.XPathError:
        found = []
    if not found:
        return ""
    names = [etree.QName(el).localname for el in [found[0], *found[0].iterancestors()]]
    return "/".join(reversed(names))


def validate(
    xml: str | bytes | etree._Element, *, signed: bool = True, schema_name: str = "nfcom_v1.00.xsd"
) -> list[SchemaError]:
    """The XSD's complaints, naming the field. ``signed=False`` accepts the one complaint an
    unsigned document must raise (its missing ``Signature``)."""
    if isinstance(xml, etree._Element):
        tree = xml
    else:
        tree = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    xsd = schema(schema_name)
    if xsd.validate(tree):
        return []
    errors = []
    for e in xsd.error_log:
        if not signed and "Signature" in e.message and "Missing child" in e.message:
            continue
        path = _real_path(tree, e.path)
        match = _ELEMENT.search(e.message)
        name = match.group(1) if match else path.rsplit("/", 1)[-1]
        errors.append(SchemaError(path=path, field=name, message=_TAG.sub("", e.message)))
    return errors
