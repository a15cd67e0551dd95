/// `/docs`: a self-contained page that renders `/openapi.json` (operations by tag, required scope, parameters,
/// request and response schemas). It loads nothing from other sites, so it works on an offline server.
enum DocsPage {
    static let html = #"""
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>SmartMails API</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>
    body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f7f8fa}
    header{background:#1d2330;color:#fff;padding:20px 32px}header h1{margin:0;font-size:22px}
    main{max-width:980px;margin:0 auto;padding:24px 32px}
    .intro{white-space:pre-wrap;background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:16px}
    h2{margin-top:32px;border-bottom:2px solid #dde1e8;padding-bottom:4px}
    .op{background:#fff;border:1px solid #dde1e8;border-radius:8px;margin:12px 0;padding:12px 16px}
    .method{display:inline-block;min-width:64px;font-weight:700;font-family:monospace;padding:2px 8px;border-radius:4px;color:#fff;text-align:center}
    .get{background:#2f7d4f}.post{background:#2357b5}.patch{background:#a86400}.delete{background:#b3261e}
    .path{font-family:monospace;font-size:16px;margin-left:8px}.scope{float:right;font-size:13px;background:#eef1f6;border-radius:4px;padding:2px 8px}
    table{border-collapse:collapse;width:100%;margin:8px 0;font-size:14px}td,th{border-top:1px solid #eef1f6;padding:4px 8px;text-align:left;vertical-align:top}
    code{background:#eef1f6;padding:0 4px;border-radius:3px}pre{background:#1d2330;color:#e8ecf2;padding:12px;border-radius:6px;overflow:auto;font-size:13px}
    </style></head>
    <body><header><h1 id="title">SmartMails API</h1><div id="version"></div></header>
    <main><div id="intro" class="intro">Loading /openapi.json …</div><div id="ops"></div></main>
    <script>
    const esc = s => String(s ?? "").replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
    // The spec's texts use a little Markdown: `code` and **bold**.
    const md = s => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>").replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>");
    function resolve(spec, node) {
      while (node && node.$ref) { node = node.$ref.slice(2).split("/").reduce((o, k) => o[k], spec); }
      return node;
    }
    function schemaText(spec, schema, depth) {
      schema = resolve(spec, schema);
      if (!schema || depth > 4) return "…";
      if (schema.allOf) return schema.allOf.map(s => schemaText(spec, s, depth)).join(" & ");
      if (schema.type === "array") return "[" + schemaText(spec, schema.items, depth + 1) + "]";
      if (schema.properties) {
        const pad = "  ".repeat(depth + 1), req = new Set(schema.required || []);
        return "{\n" + Object.entries(schema.properties).map(([k, v]) =>
          pad + k + (req.has(k) ? "" : "?") + ": " + schemaText(spec, v, depth + 1)).join(",\n") + "\n" + "  ".repeat(depth) + "}";
      }
      return (schema.enum ? schema.enum.join(" | ") : schema.type || "object") + (schema.format ? " (" + schema.format + ")" : "");
    }
    fetch("/openapi.json").then(r => r.json()).then(spec => {
      document.getElementById("title").textContent = spec.info.title;
      document.getElementById("version").textContent = "Version " + spec.info.version;
      document.getElementById("intro").innerHTML = md(spec.info.description);
      const byTag = {};
      for (const [path, item] of Object.entries(spec.paths)) {
        for (const method of ["get", "post", "patch", "delete", "put"]) {
          const op = item[method]; if (!op) continue;
          (byTag[(op.tags || ["Other"])[0]] ||= []).push({path, method, op, shared: item.parameters || []});
        }
      }
      let html = "";
      for (const tag of (spec.tags || []).map(t => t.name)) {
        if (!byTag[tag]) continue;
        html += "<h2>" + esc(tag) + "</h2>";
        for (const {path, method, op, shared} of byTag[tag]) {
          const params = [...shared, ...(op.parameters || [])].map(p => resolve(spec, p));
          const body = op.requestBody && resolve(spec, op.requestBody).content["application/json"];
          html += '<div class="op" id="' + esc(op.operationId) + '"><span class="method ' + method + '">' + method.toUpperCase() +
            '</span><span class="path">' + esc(path) + "</span>" +
            (op["x-required-scope"] ? '<span class="scope">scope: ' + esc(op["x-required-scope"]) + "</span>" : "") +
            "<p><b>" + esc(op.summary) + "</b><br>" + md(op.description) + "</p>";
          if (params.length) html += "<table><tr><th>Parameter</th><th>In</th><th>Description</th></tr>" +
            params.map(p => "<tr><td><code>" + esc(p.name) + "</code></td><td>" + esc(p.in) + "</td><td>" + md(p.description) + "</td></tr>").join("") + "</table>";
          if (body) html += "<div>Request body</div><pre>" + esc(schemaText(spec, body.schema, 0)) + "</pre>";
          html += "<table><tr><th>Status</th><th>Meaning</th></tr>" + Object.entries(op.responses).map(([code, r]) =>
            "<tr><td>" + esc(code) + "</td><td>" + md(resolve(spec, r).description) + "</td></tr>").join("") + "</table></div>";
        }
      }
      document.getElementById("ops").innerHTML = html;
    }).catch(e => { document.getElementById("intro").textContent = "Could not load /openapi.json: " + e; });
    </script></body></html>
    """#
}
