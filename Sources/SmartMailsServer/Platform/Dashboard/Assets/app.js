// Copy buttons: `data-copy` names the input whose value is copied. No inline script, so the CSP can forbid it.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    document.execCommand("copy");
  }
  button.textContent = "Copied";
});

// Buttons with `data-confirm` ask before their form is sent.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// The segment rule builder: rows of field, operator and value, joined by all/any, kept in the JSON textarea that
// the form sends; every change asks the server for a live count.
(() => {
  const builder = document.getElementById("rule-builder");
  if (!builder) return;
  const rows = document.getElementById("rule-rows");
  const join = document.getElementById("rule-join");
  const json = document.getElementById("rule-json");
  const count = document.getElementById("rule-count");
  const countText = document.getElementById("rule-count-text");
  const sample = document.getElementById("rule-sample");
  const lists = JSON.parse(builder.dataset.lists || "[]");
  const text = ["eq", "neq", "contains", "starts_with", "in", "exists"];
  const fields = {
    email: text, first_name: text, last_name: text, external_id: text, time_zone: text, locale: text,
    status: ["eq", "neq", "in"], created_at: ["within_last", "before", "after"], updated_at: ["within_last", "before", "after"],
    tags: ["contains", "in", "exists"], lists: ["contains"],
    attribute: ["eq", "neq", "gt", "gte", "lt", "lte", "contains", "starts_with", "exists", "before", "after", "within_last"],
  };
  const element = (tag, attributes = {}, children = []) => {
    const node = document.createElement(tag);
    Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
    children.forEach((child) => node.append(child));
    return node;
  };
  const options = (select, values, chosen) => {
    select.replaceChildren(...values.map((value) => {
      const [id, label] = Array.isArray(value) ? value : [value, value.replaceAll("_", " ")];
      const option = element("option", { value: id }, [label]);
      if (id === chosen) option.selected = true;
      return option;
    }));
  };
  // A value that reads as a number or boolean is sent as one; text with a leading zero (a ZIP code) stays text.
  const typed = (raw) => {
    const value = raw.trim();
    if (value === "true" || value === "false") return value === "true";
    if (value !== "" && !/^0[0-9]/.test(value) && !Number.isNaN(Number(value))) return Number(value);
    return value;
  };

  function addRow(condition = { field: "email", op: "contains", value: "" }) {
    const index = rows.children.length;
    const isAttribute = condition.field.startsWith("attributes.");
    const field = element("select", { "aria-label": `Condition ${index + 1}: field`, class: "rule-field" });
    options(field, Object.keys(fields).map((name) => [name, name === "attribute" ? "attribute…" : name.replaceAll("_", " ")]), isAttribute ? "attribute" : condition.field);
    const attribute = element("input", { "aria-label": `Condition ${index + 1}: attribute name`, class: "rule-attribute", placeholder: "attribute name", size: "12" });
    attribute.value = isAttribute ? condition.field.slice(11) : "";
    const op = element("select", { "aria-label": `Condition ${index + 1}: operator`, class: "rule-op" });
    const value = element("input", { "aria-label": `Condition ${index + 1}: value`, class: "rule-value" });
    const list = element("select", { "aria-label": `Condition ${index + 1}: list`, class: "rule-list" });
    options(list, lists.map((item) => [item.id, item.name]), condition.field === "lists" ? condition.value : undefined);
    value.value = Array.isArray(condition.value) ? condition.value.join(", ") : (condition.value ?? "");
    const remove = element("button", { type: "button", class: "small secondary", "aria-label": `Remove condition ${index + 1}` }, ["×"]);
    const row = element("div", { class: "rule-row" }, [field, attribute, op, value, list, remove]);
    const refresh = () => {
      const kind = field.value;
      attribute.hidden = kind !== "attribute";
      list.hidden = kind !== "lists";
      options(op, fields[kind], op.value || condition.op);
      value.hidden = kind === "lists" || op.value === "exists";
    };
    field.addEventListener("change", () => { op.value = ""; refresh(); changed(); });
    [attribute, op, value, list].forEach((input) => input.addEventListener("input", () => { refresh(); changed(); }));
    remove.addEventListener("click", () => { row.remove(); changed(); });
    rows.append(row);
    refresh();
  }

  function rule() {
    const conditions = [...rows.children].map((row) => {
      const kind = row.querySelector(".rule-field").value;
      const op = row.querySelector(".rule-op").value;
      const raw = row.querySelector(".rule-value").value;
      const field = kind === "attribute" ? `attributes.${row.querySelector(".rule-attribute").value.trim()}` : kind;
      const condition = { field, op };
      if (kind === "lists") condition.value = row.querySelector(".rule-list").value;
      else if (op === "in") condition.value = raw.split(",").map((part) => kind === "attribute" ? typed(part) : part.trim()).filter((part) => part !== "");
      else if (op === "within_last") condition.value = parseInt(raw, 10);
      else if (op !== "exists") condition.value = kind === "attribute" && !["contains", "starts_with", "before", "after"].includes(op) ? typed(raw) : raw.trim();
      return condition;
    });
    if (conditions.length === 0) return null;
    return { [join.value]: conditions };
  }

  let timer;
  let asked = 0;
  function changed() {
    const current = rule();
    if (current) json.value = JSON.stringify(current);
    clearTimeout(timer);
    timer = setTimeout(preview, 250);
  }

  async function preview() {
    let current;
    try { current = JSON.parse(json.value); } catch { countText.textContent = "the JSON is not valid"; count.textContent = "–"; return; }
    const ticket = ++asked;
    const response = await fetch("/app/segments/preview", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": builder.dataset.csrf }, body: JSON.stringify(current),
    });
    const answer = await response.json();
    if (ticket !== asked) return;
    if (response.ok) {
      count.textContent = answer.count;
      countText.textContent = answer.count === 1 ? "contact matches now" : "contacts match now";
      sample.textContent = answer.sample.length ? `For example ${answer.sample.join(", ")}` : "";
    } else {
      count.textContent = "–";
      countText.textContent = answer.error;
      sample.textContent = "";
    }
  }

  // A saved rule the builder can show (one group of conditions) fills it; others stay JSON only.
  let initial = null;
  try { initial = JSON.parse(json.value || "null"); } catch { initial = null; }
  const group = initial && (initial.all || initial.any);
  if (Array.isArray(group) && group.every((item) => item.field)) {
    join.value = initial.all ? "all" : "any";
    group.forEach(addRow);
  } else if (initial && initial.field) {
    addRow(initial);
  } else if (!initial) {
    addRow();
  }
  document.getElementById("rule-add").addEventListener("click", () => { addRow(); changed(); });
  join.addEventListener("change", changed);
  json.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(preview, 400); });
  if (!initial) changed(); else preview();
})();

// The import form: reads the chosen file's header in the browser, offers a target per column (guessed as the
// server guesses), then sends the file itself and follows the import.
(() => {
  const form = document.getElementById("import-form");
  if (!form) return;
  const file = document.getElementById("import-file");
  const columns = document.getElementById("import-columns");
  const mapping = document.getElementById("import-mapping");
  const start = document.getElementById("import-start");
  const error = document.getElementById("import-error");
  const targets = ["email", "first_name", "last_name", "external_id", "tags", "time_zone", "locale", "status", "attribute", "ignore"];
  const guess = (header) => {
    const simple = header.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
    const known = { email: "email", emailaddress: "email", mail: "email", firstname: "first_name", givenname: "first_name", lastname: "last_name",
      surname: "last_name", externalid: "external_id", tags: "tags", timezone: "time_zone", locale: "locale", language: "locale", status: "status",
      id: "ignore", createdat: "ignore", updatedat: "ignore" };
    return known[simple] || "attribute";
  };
  const attributeName = (header) => {
    const name = header.startsWith("attributes.") ? header.slice(11) : header.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
    return /^[0-9]/.test(name) ? `_${name}` : name.slice(0, 64);
  };
  const splitLine = (line, delimiter) => {
    const cells = [];
    let cell = "", quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === delimiter) { cells.push(cell); cell = ""; } else cell += c;
    }
    cells.push(cell);
    return cells;
  };

  file.addEventListener("change", async () => {
    error.hidden = true;
    const chosen = file.files[0];
    if (!chosen) return;
    const head = (await chosen.slice(0, 65536).text()).replace(/^\uFEFF/, "");
    const lines = head.split(/\r\n|\n|\r/);
    const counts = [",", ";", "\t"].map((d) => [d, lines[0].split(d).length]);
    const delimiter = counts.sort((a, b) => b[1] - a[1])[0][0];
    const header = splitLine(lines[0], delimiter);
    const first = lines.length > 1 ? splitLine(lines[1], delimiter) : [];
    columns.replaceChildren(...header.map((name, index) => {
      const row = document.createElement("tr");
      const target = document.createElement("select");
      target.setAttribute("aria-label", `Column ${name}`);
      target.className = "import-target";
      target.dataset.header = name;
      targets.forEach((value) => {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = value === "attribute" ? `attribute ${attributeName(name)}` : value.replaceAll("_", " ");
        if (value === guess(name)) option.selected = true;
        target.append(option);
      });
      const type = document.createElement("select");
      type.setAttribute("aria-label", `Type of ${name}`);
      type.className = "import-type";
      ["string", "number", "boolean", "date"].forEach((value) => {
        const option = document.createElement("option");
        option.value = option.textContent = value;
        type.append(option);
      });
      const cells = [name, first[index] ?? ""].map((value) => { const td = document.createElement("td"); td.textContent = value; return td; });
      const targetCell = document.createElement("td");
      targetCell.append(target);
      const typeCell = document.createElement("td");
      typeCell.append(type);
      row.append(...cells, targetCell, typeCell);
      return row;
    }));
    mapping.hidden = false;
    start.disabled = false;
  });

  start.addEventListener("click", async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    const map = {}, types = {};
    document.querySelectorAll(".import-target").forEach((select) => {
      const header = select.dataset.header;
      const name = attributeName(header);
      map[header] = select.value === "attribute" ? `attributes.${name}` : select.value;
      const type = select.closest("tr").querySelector(".import-type").value;
      if (select.value === "attribute" && type !== "string") types[name] = type;
    });
    const parameters = { mapping: JSON.stringify(map), attribute_types: JSON.stringify(types), file_name: chosen.name,
      on_conflict: document.getElementById("import-conflict").value };
    const list = document.getElementById("import-list").value;
    if (list) parameters.list_id = list;
    // encodeURIComponent writes spaces as %20; URLSearchParams' `+` would reach the server as a plus sign.
    const query = Object.entries(parameters).map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("&");
    start.disabled = true;
    start.textContent = "Uploading…";
    const response = await fetch(`/app/imports/upload?${query}`, {
      method: "POST", headers: { "Content-Type": "text/csv", "X-CSRF-Token": form.dataset.csrf }, body: chosen,
    });
    const answer = await response.json();
    if (response.ok) { window.location.assign(`/app/imports/${answer.id}`); return; }
    error.textContent = answer.error;
    error.hidden = false;
    start.disabled = false;
    start.textContent = "Import";
  });
})();

// An import's page follows it until it has finished.
(() => {
  const card = document.getElementById("import-progress");
  if (!card || card.dataset.finished === "true") return;
  const show = (id, value) => { document.getElementById(id).textContent = value; };
  const poll = async () => {
    const response = await fetch(`/app/imports/${card.dataset.id}/progress`);
    if (!response.ok) return;
    const job = await response.json();
    show("import-status", job.status);
    document.getElementById("import-status").className = `status ${job.status}`;
    document.getElementById("import-bar").value = job.percent;
    ["rows", "created", "updated", "unchanged", "failed"].forEach((name) => show(`import-${name}`, name === "rows" ? job.rowsRead : job[name]));
    document.getElementById("import-errors").replaceChildren(...job.errors.map((row) => {
      const tr = document.createElement("tr");
      [row.line, row.field, row.message].forEach((value) => { const td = document.createElement("td"); td.textContent = value; tr.append(td); });
      return tr;
    }));
    if (job.finished) { document.getElementById("import-cancel")?.remove(); return; }
    setTimeout(poll, 500);
  };
  setTimeout(poll, 300);
})();

// The template editor's live preview: a pause in typing posts the form into the preview frame (the Preview button's
// `formaction`), where the server renders it over the sample data in a sandboxed document of its own.
(() => {
  const form = document.getElementById("template-form");
  const button = document.getElementById("template-preview-button");
  if (!form || !button) return;
  let timer;
  const refresh = () => form.requestSubmit ? form.requestSubmit(button) : button.click();
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  if (form.elements.subject.value) refresh();
})();
