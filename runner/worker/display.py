# labrun's Python worker (part 3 of 12, after streams.py): display objects and how a value is shown.


# ---- display ---------------------------------------------------------------


class _DisplayObject:
    """IPython.core.display.TextDisplayObject: data given, read from a
    file, or (Image) a URL; its text/plain form names its class in
    IPython.core.display, as IPython's DisplayObject shows it."""
    mime = "text/plain"

    def __init__(self, data=None, url=None, filename=None, metadata=None):
        if data is None and filename:
            with open(filename, encoding="utf-8") as f:
                data = f.read()
        self.data, self.url = data, url
        self.metadata = metadata or {}

    def __repr__(self):
        return "<IPython.core.display.%s object>" % type(self).__name__


class Markdown(_DisplayObject):
    def _repr_markdown_(self):
        return self.data


class HTML(_DisplayObject):
    """IPython.core.display.HTML: an <iframe> given as HTML warns, as
    HTML.__init__ does (IPython/core/display.py: data whose first 10
    characters, lowered, start with "<iframe " and whose last 10 end
    with "</iframe>")."""

    def __init__(self, data=None, url=None, filename=None, metadata=None):
        if data and data[:10].lower().startswith("<iframe ") and data[-10:].lower().endswith("</iframe>"):
            _ipython_warn("html_iframe", "Consider using IPython.display.IFrame instead",
                          'warnings.warn("Consider using IPython.display.IFrame instead")',
                          "IPython.core.display")
        super().__init__(data, url, filename, metadata)

    def _repr_html_(self):
        return self.data


class Latex(_DisplayObject):
    def _repr_latex_(self):
        return self.data


class Math(_DisplayObject):
    def _repr_latex_(self):
        s = r"$\displaystyle %s$" % self.data.strip("$")
        return s


class JSON(_DisplayObject):
    """Its application/json form is no part of nbconvert's Markdown
    (display_data_priority): the transcript shows the text/plain one."""

    def __init__(self, data=None, url=None, filename=None, **kwargs):
        super().__init__(data, url, filename)


class Image(_DisplayObject):
    """An image by URL (embed=False) shows as IPython's <img> element;
    embedded image data becomes a file of nbconvert's, which labrun does
    not write: it shows the text/plain form."""

    def __init__(self, data=None, url=None, filename=None, format=None, embed=None,
                 width=None, height=None, **kwargs):
        if data is not None and isinstance(data, str) and data.startswith(("http://", "https://")):
            url, data = data, None
        self.embed = embed if embed is not None else url is None
        super().__init__(None, url, None)
        self.width, self.height = width, height

    def _repr_html_(self):
        if self.embed or not self.url:
            return None
        width = height = ""
        if self.width:
            width = ' width="%d"' % self.width
        if self.height:
            height = ' height="%d"' % self.height
        return '<img src="%s"%s%s/>' % (self.url, width, height)


class IFrame:
    """IPython.lib.display.IFrame: its HTML spans several lines."""

    iframe = """
        <iframe
            width="{width}"
            height="{height}"
            src="{src}{params}"
            frameborder="0"
            allowfullscreen
            {extras}
        ></iframe>
        """

    def __init__(self, src, width, height, extras=None, **kwargs):
        self.src, self.width, self.height = src, width, height
        self.extras = extras if extras is not None else []
        self.params = kwargs

    def _repr_html_(self):
        params = ""
        if self.params:
            from urllib.parse import urlencode
            params = "?" + urlencode(self.params)
        return self.iframe.format(src=self.src, width=self.width, height=self.height,
                                  params=params, extras=" ".join(self.extras))


class YouTubeVideo(IFrame):
    """IPython.lib.display.YouTubeVideo (its JPEG thumbnail needs the
    network: offline, as here, IPython shows the iframe only)."""

    def __init__(self, id, width=400, height=300, allow_autoplay=False, **kwargs):
        self.id = id
        src = "https://www.youtube.com/embed/{0}".format(id)
        if allow_autoplay:
            extras = list(kwargs.get("extras", [])) + ['allow="autoplay"']
            kwargs.update(autoplay=1, extras=extras)
        super().__init__(src, width, height, **kwargs)


# How many bytes of a display or a traceback labrun shows (its
# Options.OutputCap, the worker's argument): the worker cuts longer text
# itself, head and tail, marked as labrun marks a step's cut output, so
# that it never sends more than labrun keeps.
_SHOW_CAP = 1 << 20  # main() sets it from the argument
_MARKER_ROOM = 100


def _cut(text):
    if len(text) * 4 <= _SHOW_CAP - _MARKER_ROOM:
        return text
    b = text.encode("utf-8", "replace")
    if len(b) <= _SHOW_CAP - _MARKER_ROOM:
        return text
    half = (_SHOW_CAP - _MARKER_ROOM) // 2
    return "%s\n[labrun: %d bytes of output dropped here; %d kept]\n%s" % (
        b[:half].decode("utf-8", "ignore"), len(b) - 2 * half, 2 * half, b[-half:].decode("utf-8", "ignore"))


# The forms of a display labrun can show, in the order nbconvert's
# Markdown exporter prefers them (MarkdownExporter.default_config,
# display_data_priority: text/html, text/markdown, ..., text/latex, ...,
# text/plain).
_DISPLAY_FORMS = (("text/html", "_repr_html_"), ("text/markdown", "_repr_markdown_"),
                  ("text/latex", "_repr_latex_"))


def _display(obj):
    """Send obj's display in the form nbconvert's Markdown shows: the
    first of its _repr_*_ methods (as IPython's DisplayFormatter calls
    them) that gives something, else its text/plain form."""
    for mime, method in _DISPLAY_FORMS:
        f = getattr(obj, method, None)
        if f is None or isinstance(obj, type):
            continue
        data = f()
        if isinstance(data, tuple) and len(data) == 2:
            data = data[0]  # (data, metadata)
        if data is not None:
            _event("display", mime=mime, data=_cut(str(data)))
            return
    _event("display", mime="text/plain", data=_cut(_pretty(obj)))


def display(*objs, **kwargs):
    """IPython.display.display: show each object in the transcript."""
    _flush_all()
    for obj in objs:
        _display(obj)
