"""The clinic web app: server-rendered pages (Jinja2 + htmx) on the clinic service, the 3D
view (three.js) and the case editor's form mapping (:mod:`tadplan.service.web.forms`)."""
