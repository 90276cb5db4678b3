// nianbao serve — the page: the folder's reports and the report editor.
//
// Everything the page shows of the data is set as text (textContent, value),
// never as markup. Labels of the tables come from the server's layout
// (/api/layout/{edition}, built from the one label table); checks, totals and
// item numbers come from the server (/api/check): this script draws and sends.
'use strict';

const TOKEN = document.querySelector('meta[name="nianbao-token"]').content;
const CHECK_DELAY = 250;
/** This tab's id: the server keeps one draft and preview per tab. */
const TAB = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'value') e.value = v;
    else if (k === 'checked' || k === 'disabled') e[k] = true;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function toast(message, kind) {
  const t = document.getElementById('toast');
  t.textContent = message;
  t.className = 'show ' + (kind || '');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = ''; }, kind === 'error' ? 8000 : 3000);
}

/** Calls the API; resolves to {ok, status, body} (body: JSON, or a Blob with `blob`). */
async function call(method, url, body, options) {
  const o = options || {};
  const init = { method, headers: {} };
  if (method !== 'GET') init.headers['X-Nianbao-Token'] = TOKEN;
  if (body !== undefined) {
    if (o.raw) {
      init.body = body;
      init.headers['Content-Type'] = o.type || 'application/octet-stream';
    } else {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    return { ok: false, status: 0, body: { error: { kind: 'network', message: '无法连接 nianbao serve：服务器是否已关闭？' } } };
  }
  if (o.blob && response.ok) return { ok: true, status: response.status, body: await response.blob(), response };
  let json = null;
  try { json = await response.json(); } catch (e) { json = null; }
  return { ok: response.ok, status: response.status, body: json, response };
}

function errorMessage(r) {
  return (r.body && r.body.error && r.body.error.message) || ('请求失败（' + r.status + '）');
}

/** The path of a report's API. */
function reportUrl(name, rest) {
  return '/api/reports/' + encodeURIComponent(name) + (rest || '');
}

/** Reads a key path `a.b[2].c` into steps. */
function steps(path) {
  const out = [];
  for (const part of path.split('.')) {
    const m = part.match(/^([^\[]*)((?:\[\d+\])*)$/);
    if (!m) { out.push(part); continue; }
    if (m[1]) out.push(m[1]);
    for (const i of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
  }
  return out;
}

function getAt(data, path) {
  let v = data;
  for (const s of steps(path)) {
    if (v === null || v === undefined) return undefined;
    v = v[s];
  }
  return v;
}

function setAt(data, path, value) {
  const st = steps(path);
  let v = data;
  for (let i = 0; i < st.length - 1; i++) {
    if (v[st[i]] === null || typeof v[st[i]] !== 'object') v[st[i]] = typeof st[i + 1] === 'number' ? [] : {};
    v = v[st[i]];
  }
  const last = st[st.length - 1];
  if (value === undefined) {
    if (Array.isArray(v)) v.splice(last, 1); else delete v[last];
  } else {
    v[last] = value;
  }
}

function display(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const STATUS = {
  errors: ['有错误', 'bad'],
  warnings: ['有提示', 'warn'],
  ready: ['可以生成', 'ok'],
  rendered: ['已生成 PDF', 'done'],
  unreadable: ['无法读取', 'bad'],
};

/** What the last import said, shown above the editor of the report it made. */
let lastImport = null;

// ---------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------

let editor = null;

function route() {
  if (editor && editor.dirty && !editor.leaving) {
    // Leaving through a link: the editor asked already (beforeunload covers the rest).
  }
  editor = null;
  const hash = location.hash || '#/';
  const m = hash.match(/^#\/edit\/(.+)$/);
  if (m) openEditor(decodeURIComponent(m[1]));
  else showWorkspace();
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', route);
document.addEventListener('keydown', (e) => {
  if (editor && (e.ctrlKey || e.metaKey) && e.key === 's') { e.preventDefault(); editor.save(); }
});
window.addEventListener('beforeunload', (e) => {
  if (editor && editor.dirty) { e.preventDefault(); e.returnValue = ''; }
});

// ---------------------------------------------------------------------------
// The folder
// ---------------------------------------------------------------------------

async function showWorkspace() {
  const app = document.getElementById('app');
  document.title = '报告一览 · 政府信息公开工作年度报告';
  const [list, info] = await Promise.all([call('GET', '/api/reports'), call('GET', '/api/info')]);
  if (!list.ok) { app.replaceChildren(el('p', { class: 'error' }, errorMessage(list))); return; }
  const reports = list.body.reports;
  document.getElementById('top-note').textContent =
    info.ok && info.body.lan ? '注意：本服务对网络开放，能访问的人都可以修改报告' : '';
  const counts = {};
  for (const r of reports) counts[r.status] = (counts[r.status] || 0) + 1;
  const summary = Object.keys(STATUS).filter((s) => counts[s])
    .map((s) => STATUS[s][0] + ' ' + counts[s] + ' 份').join('，');

  const rows = reports.map((r) => {
    const [label, cls] = STATUS[r.status] || [r.status, ''];
    const when = r.modified ? new Date(r.modified * 1000).toLocaleString('zh-CN', { hour12: false }) : '';
    const open = r.status === 'unreadable'
      ? el('span', { class: 'muted', title: r.message || '' }, r.message ? '无法打开' : '')
      : el('a', { class: 'button small', href: '#/edit/' + encodeURIComponent(r.name) }, '打开');
    return el('tr', { 'data-name': r.name },
      el('td', {}, r.agency || '—'),
      el('td', { class: 'num' }, r.year || '—'),
      el('td', { class: 'num' }, r.edition ? r.edition + ' 年版' : '—'),
      el('td', {}, el('span', { class: 'status ' + cls, title: r.message || '' }, label)),
      el('td', { class: 'num' }, r.errors ? el('span', { class: 'bad-text' }, r.errors + ' 处错误') : '',
        r.errors && r.warnings ? '，' : '', r.warnings ? r.warnings + ' 处提示' : ''),
      el('td', {}, when),
      el('td', { class: 'file' }, r.name, r.prev ? el('div', { class: 'muted small' }, '对照上年：' + r.prev) : null),
      el('td', { class: 'actions' }, open,
        r.pdf ? el('a', { class: 'button small secondary', href: reportUrl(r.name, '/pdf'), download: r.pdf }, '下载 PDF') : null));
  });

  const newForm = newReportForm(reports);
  const importMessage = el('p', { class: 'error', id: 'import-error' });
  const importInput = el('input', {
    type: 'file', class: 'hidden-file', id: 'import-file',
    accept: '.pdf,.docx,.html,.htm,.txt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/html,text/plain',
    onchange: (e) => importReport(e.target.files[0], importMessage, e.target),
  });
  app.replaceChildren(
    el('section', { class: 'workspace' },
      el('div', { class: 'workspace-head' },
        el('div', {},
          el('h1', {}, '报告一览'),
          el('p', { class: 'muted' }, '文件夹：' + list.body.dir),
          el('p', { class: 'summary' }, reports.length ? '共 ' + reports.length + ' 份报告：' + summary : '')),
        el('div', { class: 'head-actions' },
          el('button', { type: 'button', onclick: () => newForm.classList.toggle('open') }, '新建报告'),
          importInput,
          el('button', {
            type: 'button', class: 'secondary', id: 'import',
            title: '上传已发布的报告（PDF、Word .docx、网页 .html 或文本 .txt），读出其中的数据，保存为新的数据文件',
            onclick: () => importInput.click(),
          }, '导入已发布的报告'))),
      importMessage,
      newForm,
      reports.length
        ? el('table', { class: 'reports' },
          el('thead', {}, el('tr', {}, ['机关', '年度', '格式版本', '状态', '检查结果', '最后修改', '文件', ''].map((h) => el('th', {}, h)))),
          el('tbody', {}, rows))
        : el('p', { class: 'empty' }, '这个文件夹中还没有报告。点“新建报告”开始。')));
}

function newReportForm(reports) {
  const lastYear = new Date().getFullYear() - 1;
  const agency = el('input', { type: 'text', name: 'agency', placeholder: '如：某某县人民政府办公室' });
  const year = el('input', { type: 'number', name: 'year', value: String(lastYear), min: '2019', max: '2200' });
  const sources = reports.filter((r) => r.agency && r.year && r.status !== 'unreadable');
  const prev = el('select', { name: 'prev' },
    el('option', { value: '' }, '空白报告（全部填 0）'),
    sources.map((r) => el('option', { value: r.name }, '按 ' + r.agency + ' ' + r.year + ' 年的报告新建 ' + (r.year + 1) + ' 年报告（' + r.name + '）')));
  const message = el('p', { class: 'error' });
  const create = async (e) => {
    e.preventDefault();
    const body = prev.value ? { prev: prev.value } : { agency: agency.value, year: Number(year.value) };
    const r = await call('POST', '/api/reports', body);
    if (!r.ok) { message.textContent = errorMessage(r); return; }
    location.hash = '#/edit/' + encodeURIComponent(r.body.name);
  };
  return el('form', { class: 'new-report', onsubmit: create },
    el('h2', {}, '新建报告'),
    el('label', {}, '从哪里开始', prev),
    el('div', { class: 'row' },
      el('label', {}, '机关名称', agency),
      el('label', {}, '报告年度', year)),
    el('p', { class: 'muted small' }, '按上一年的报告新建时，机关名称、各部分文字沿用上一年的（请逐段改写），“二、上年结转”取上一年的“四、结转下年度继续办理”，现行有效件数取上一年的。'),
    message,
    el('button', { type: 'submit' }, '创建'));
}

/** Uploads a published report; opens the data file it became, with the importer's notes. */
async function importReport(file, message, input) {
  if (!file) return;
  message.textContent = '';
  toast('正在导入 ' + file.name + ' ……');
  const r = await call('POST', '/api/import?file=' + encodeURIComponent(file.name), file, { raw: true, type: 'application/octet-stream' });
  input.value = '';
  if (!r.ok) {
    message.textContent = errorMessage(r);
    toast('导入失败', 'error');
    return;
  }
  lastImport = r.body;
  toast('已导入 ' + file.name + '，保存为 ' + r.body.name);
  location.hash = '#/edit/' + encodeURIComponent(r.body.name);
}

/** The importer's notes above the editor of the report it made. */
function importNotes(imported) {
  const warnings = (imported.notes || []).filter((n) => n.level === 'warning');
  const infos = (imported.notes || []).filter((n) => n.level !== 'warning');
  return el('section', { class: 'panel import-notes', id: 'import-notes' },
    el('h2', {}, '导入说明'),
    el('p', {}, '已从“' + imported.file + '”导入，保存为 ' + imported.name +
      '。表格中原文空白或印作“/”“—”的格子导入为空白（不是 0），请对照原文逐项核对，并处理右侧“检查结果”中的问题。'),
    warnings.length ? el('ul', { class: 'notes' }, warnings.map((n) => el('li', { class: 'warning' }, n.message))) : el('p', { class: 'muted' }, '导入时没有需要注意的问题。'),
    infos.length ? el('details', {}, el('summary', {}, '其他说明（' + infos.length + ' 条：原文的写法与规定格式略有不同，已按规定格式读取）'),
      el('ul', { class: 'notes' }, infos.map((n) => el('li', {}, n.message)))) : null,
    el('button', { type: 'button', class: 'secondary small', onclick: (e) => e.target.closest('section').remove() }, '关闭说明'));
}

// ---------------------------------------------------------------------------
// The editor
// ---------------------------------------------------------------------------

async function openEditor(name) {
  const app = document.getElementById('app');
  app.replaceChildren(el('p', { class: 'loading' }, '正在打开 ' + name + ' ……'));
  const r = await call('GET', reportUrl(name, '?tab=' + TAB));
  if (!r.ok) {
    const e = r.body && r.body.error;
    app.replaceChildren(el('section', { class: 'workspace' },
      el('h1', {}, name),
      el('p', { class: 'error' }, errorMessage(r)),
      e && e.line ? el('p', {}, '位置：第 ' + e.line + ' 行，第 ' + e.column + ' 列') : null,
      el('p', {}, el('a', { href: '#/' }, '返回报告一览'))));
    return;
  }
  const edition = r.body.edition;
  const [layout, refs] = await Promise.all([call('GET', '/api/layout/' + edition), call('GET', '/api/refs/' + edition)]);
  editor = new Editor(name, r.body, layout.body, refs.body);
  editor.mount(app);
}

class Editor {
  constructor(name, opened, layout, refs) {
    this.name = name;
    this.kind = opened.kind;
    this.revision = opened.revision;
    this.data = opened.data;
    this.layout = layout;
    this.refs = refs;
    this.prev = opened.prev;
    this.pdfName = opened.pdf;
    this.readOnly = opened.read_only;
    this.dirty = false;
    this.checkSeq = 0;
    this.previewSeq = 0;
    this.lastField = null;
    this.result = opened;
  }

  mount(app) {
    document.title = this.name + ' · 政府信息公开工作年度报告';
    this.status = el('span', { class: 'save-status', id: 'save-status' }, '已打开');
    this.findingsList = el('ol', { class: 'findings', id: 'findings' });
    this.findingsCount = el('span', { class: 'count', id: 'findings-count' });
    this.pages = el('div', { class: 'pages', id: 'pages' });
    this.previewStatus = el('span', { class: 'preview-status', id: 'preview-status' });
    this.form = el('div', { class: 'form', id: 'form' });
    const toolbar = el('div', { class: 'toolbar' },
      el('a', { class: 'back', href: '#/', onclick: (e) => { if (this.dirty && !confirm('有未保存的修改，确定离开吗？')) e.preventDefault(); } }, '← 报告一览'),
      el('strong', { class: 'doc-name' }, this.name),
      this.status,
      el('span', { class: 'spacer' }),
      el('button', { type: 'button', id: 'save', onclick: () => this.save() }, '保存'),
      el('button', { type: 'button', class: 'secondary', id: 'download-pdf', onclick: () => this.download(false) }, '下载 PDF'),
      el('button', { type: 'button', class: 'secondary', id: 'download-archive', onclick: () => this.download(true) }, '下载存档版'),
      el('a', { class: 'button secondary', id: 'download-data', href: reportUrl(this.name, '/data'), download: this.name }, '下载数据文件'));
    const side = el('aside', { class: 'side' },
      el('section', { class: 'panel findings-panel' },
        el('h2', {}, '检查结果 ', this.findingsCount),
        this.prev ? el('p', { class: 'muted small' }, '对照上一年的报告 ' + this.prev + ' 检查 R7、R8、R11') : null,
        this.findingsList),
      el('section', { class: 'panel preview-panel' },
        el('h2', {}, '打印预览 ', this.previewStatus),
        this.pages));
    const notices = [];
    this.importOrigins = {};
    if (lastImport && lastImport.name === this.name) {
      notices.push(importNotes(lastImport));
      // Where each value is printed in the published file, for the findings.
      Object.assign(this.importOrigins, lastImport.origins || {});
      for (const f of lastImport.findings || []) if (f.origin) this.importOrigins[f.key] = f.origin;
    }
    lastImport = null;
    if (this.readOnly) notices.push(el('p', { class: 'panel read-only', id: 'read-only' }, this.readOnly));
    app.replaceChildren(el('div', { class: 'editor' }, toolbar, ...notices, el('div', { class: 'columns' }, this.form, side)));
    if (this.readOnly) toolbar.querySelector('#save').disabled = true;
    this.render();
    this.refreshPreview();
  }

  // --- drawing -------------------------------------------------------------

  render() {
    const L = this.layout;
    const form = [this.identitySection()];
    L.parts.forEach((part, i) => {
      const key = part.key;
      if (!this.data[key] || typeof this.data[key] !== 'object') this.data[key] = {};
      const sec = el('section', { class: 'part', id: 'part-' + key, 'data-key': key },
        el('h2', {}, part.heading));
      if (part.table) {
        sec.append(this.paragraphs(key + '.paragraphs', '表格前的说明段落（可不写）'));
        if (i === 1) sec.append(this.activeTable());
        if (i === 2) sec.append(this.requestsTable());
        if (i === 3) sec.append(this.appealsTable());
      } else {
        sec.append(this.paragraphs(key + '.paragraphs', null));
        sec.append(this.items(key + '.items', 2));
      }
      form.push(sec);
    });
    this.form.replaceChildren(...form);
    for (const a of this.form.querySelectorAll('textarea')) grow(a);
    if (this.result) this.apply(this.result);
  }

  identitySection() {
    const d = this.data;
    const L = this.layout;
    const label = (key) => (L.identity.find((k) => k.key === key) || { label: key }).label;
    const text = (key, attrs) => el('div', { class: 'field', 'data-key': key },
      el('label', {}, label(key),
        el('input', Object.assign({
          type: 'text', 'data-field': key, value: display(d[key]),
          oninput: (e) => this.edit(key, this.textValue(e.target.value, key)),
          onfocus: (e) => { this.lastField = e.target; },
        }, attrs || {}))),
      el('div', { class: 'field-findings' }));
    const defaultTitle = (d.agency || '') + (d.year || '') + L.title_suffix;
    const seal = d.seal ? el('img', { class: 'seal-thumb', alt: '印章', src: '/api/files/' + encodeURIComponent(d.seal) + '?t=' + Date.now() }) : null;
    const sealInput = el('input', { type: 'file', class: 'hidden-file', accept: '.png,.svg,image/png,image/svg+xml', id: 'seal-file', onchange: (e) => this.uploadSeal(e.target.files[0]) });
    const sealButton = el('button', { type: 'button', class: 'secondary small', onclick: () => sealInput.click() }, d.seal ? '更换印章图像' : '上传印章图像');
    return el('section', { class: 'part identity', id: 'part-identity', 'data-key': '' },
      el('h2', {}, '基本信息'),
      el('p', { class: 'muted small' }, '格式版本：' + L.edition + ' 年版（' + L.notice + '）'),
      el('div', { class: 'field-findings', 'data-key': 'edition' }),
      el('div', { class: 'row' }, text('agency', { id: 'agency' }), text('year', { id: 'year', inputmode: 'numeric' }),
        text('date', { type: 'date', id: 'date' })),
      text('title', { placeholder: '默认：' + defaultTitle, id: 'title' }),
      el('div', { class: 'field', 'data-key': 'seal' },
        el('label', {}, label('seal')), sealInput,
        el('div', { class: 'seal-row' }, seal, sealButton, d.seal ? el('span', { class: 'muted small' }, d.seal) : el('span', { class: 'muted small' }, '未设置（PNG 或 SVG，印在署名和日期上）'),
          d.seal ? el('button', { type: 'button', class: 'link', onclick: () => { this.edit('seal', null); this.render(); this.check(); } }, '移除印章') : null),
        el('div', { class: 'field-findings' })),
      el('h3', {}, label('preamble')),
      this.paragraphs('preamble', '标题下、“一、总体情况”之前的段落（可不写）'));
  }

  /** The value of a basic-information field as the data holds it. */
  textValue(text, key) {
    const t = text.trim();
    if (key === 'year') return /^\d+$/.test(t) ? Number(t) : (t === '' ? null : t);
    if ((key === 'date' || key === 'title') && t === '') return null;
    return text;
  }

  /** A list of paragraphs at `path` (an array of strings). */
  paragraphs(path, what) {
    const list = getAt(this.data, path);
    const box = el('div', { class: 'paragraphs', 'data-list': path });
    (Array.isArray(list) ? list : []).forEach((text, i) => {
      const key = path + '[' + i + ']';
      const area = el('textarea', {
        rows: '3', 'data-field': key, value: display(text),
        oninput: (e) => { this.edit(key, e.target.value); grow(e.target); },
        onfocus: (e) => { this.lastField = e.target; },
      });
      box.append(el('div', { class: 'paragraph', 'data-key': key },
        el('div', { class: 'para-row' }, area,
          el('div', { class: 'para-tools' },
            el('button', { type: 'button', class: 'icon', title: '插入表格中的数字（${…} 引用）', onclick: () => this.picker(area) }, '＄'),
            el('button', { type: 'button', class: 'icon', title: '上移', disabled: i === 0, onclick: () => this.move(path, i, -1) }, '↑'),
            el('button', { type: 'button', class: 'icon', title: '下移', disabled: i === list.length - 1, onclick: () => this.move(path, i, 1) }, '↓'),
            el('button', { type: 'button', class: 'icon danger', title: '删除这一段', onclick: () => this.remove(path, i) }, '✕'))),
        el('div', { class: 'field-findings' })));
    });
    box.append(el('button', { type: 'button', class: 'add', onclick: () => this.add(path, '') }, '＋ 添加段落'));
    if (what && !(Array.isArray(list) && list.length)) box.prepend(el('p', { class: 'muted small' }, what));
    return box;
  }

  /** The numbered items at `path`, at `level` (2: （一）, 3: 1., 4: （1）). */
  items(path, level) {
    const list = getAt(this.data, path);
    const box = el('div', { class: 'items level-' + level, 'data-list': path });
    (Array.isArray(list) ? list : []).forEach((item, i) => {
      const p = path + '[' + i + ']';
      const title = el('input', {
        type: 'text', class: 'item-title', 'data-field': p + '.title', value: display(item.title),
        placeholder: '条目标题，如“主动公开工作。”（编号自动加上）',
        oninput: (e) => this.edit(p + '.title', e.target.value),
        onfocus: (e) => { this.lastField = e.target; },
      });
      const runIn = el('select', {
        title: '标题与正文的排法',
        onchange: (e) => { this.edit(p + '.run_in', e.target.value === 'run-in' ? true : undefined); },
      }, el('option', { value: 'heading' }, '标题单独成行'), el('option', { value: 'run-in' }, '正文接在标题后'));
      runIn.value = item.run_in ? 'run-in' : 'heading';
      box.append(el('div', { class: 'item', 'data-key': p },
        el('div', { class: 'item-head' },
          el('span', { class: 'item-number', 'data-number': p }, this.numbers && this.numbers[p] || '…'),
          title, runIn,
          el('button', { type: 'button', class: 'icon', title: '上移', disabled: i === 0, onclick: () => this.move(path, i, -1) }, '↑'),
          el('button', { type: 'button', class: 'icon', title: '下移', disabled: i === list.length - 1, onclick: () => this.move(path, i, 1) }, '↓'),
          el('button', { type: 'button', class: 'icon danger', title: '删除这一条', onclick: () => this.remove(path, i) }, '✕')),
        el('div', { class: 'field-findings', 'data-key': p + '.title' }),
        this.paragraphs(p + '.paragraphs', null),
        level < 4 ? this.items(p + '.items', level + 1) : null));
    });
    const what = level === 2 ? '条目（一）（二）…' : level === 3 ? '子条目 1. 2. …' : '子条目（1）（2）…';
    box.append(el('button', { type: 'button', class: 'add', onclick: () => this.add(path, { title: '', paragraphs: [''] }) }, '＋ 添加' + what));
    return box;
  }

  /** A table cell: an input bound to `key`, or a computed value. */
  cell(key, kind, attrs) {
    const input = el('input', {
      type: 'text', class: 'cell', inputmode: 'decimal', 'data-field': key, 'data-kind': kind,
      value: display(getAt(this.data, key)), autocomplete: 'off',
      oninput: (e) => this.edit(key, cellValue(e.target.value, kind)),
      onpaste: (e) => this.paste(e),
      onkeydown: (e) => gridKeys(e),
    });
    return el('td', Object.assign({ 'data-key': key, class: 'input' }, attrs || {}), input);
  }

  computedCell(key, attrs) {
    return el('td', Object.assign({ 'data-key': key, class: 'computed', title: '自动计算，不用填写' }, attrs || {}),
      el('span', { class: 'value' }, ''));
  }

  activeTable() {
    const L = this.layout.active;
    const rows = [];
    for (const block of L.blocks) {
      rows.push(el('tr', {}, el('th', { colspan: '4', class: 'caption' }, block.caption)));
      rows.push(el('tr', {}, el('th', {}, L.content_header),
        block.columns.map((c) => el('th', { colspan: String(c.span) }, c.label))));
      for (const row of block.rows) {
        rows.push(el('tr', { 'data-key': 'active.' + row.key }, el('th', { class: 'row-label' }, row.label),
          block.columns.map((c) => this.cell(block.scalar ? 'active.' + row.key : 'active.' + row.key + '.' + c.key, c.kind, { colspan: String(c.span) }))));
      }
    }
    return el('table', { class: 'grid t2', 'data-key': 'active' }, el('caption', {}, L.caption), el('tbody', {}, rows));
  }

  requestsTable() {
    const L = this.layout.requests;
    const head = [
      el('tr', {}, el('th', { rowspan: '3', colspan: '3', class: 'note' }, L.note), el('th', { colspan: '7' }, L.applicant_header)),
      el('tr', {}, el('th', { rowspan: '2' }, L.columns[0]), el('th', { colspan: '5' }, L.legal_persons_header), el('th', { rowspan: '2' }, L.total_column)),
      el('tr', {}, L.columns.slice(1).map((c) => el('th', {}, c))),
    ];
    const body = L.rows.map((r) => {
      const tr = el('tr', { 'data-key': 'requests.' + r.key });
      if (r.kind === 'top') {
        tr.append(el('th', { colspan: '3', class: 'row-label' }, r.label));
      } else {
        if (r.outcome_first) tr.append(el('th', { rowspan: String(L.outcome_rows), class: 'row-label vertical' }, L.outcome_label));
        if (r.kind === 'grouped') {
          if (r.group_first) tr.append(el('th', { rowspan: String(r.group_rows), class: 'row-label' }, r.group));
          tr.append(el('th', { class: 'row-label' }, r.label));
        } else {
          tr.append(el('th', { colspan: '2', class: 'row-label' }, r.label));
        }
      }
      for (let c = 0; c < 7; c++) {
        const key = 'requests.' + r.key + '[' + c + ']';
        tr.append(r.kind === 'total' || c === 6 ? this.computedCell(key) : this.cell(key, 'count'));
      }
      return tr;
    });
    const cols = el('colgroup', {}, el('col', { class: 'outcome' }), el('col', { class: 'group' }), el('col', { class: 'label' }),
      Array.from({ length: 7 }, () => el('col', {})));
    return el('table', { class: 'grid t3', 'data-key': 'requests' }, el('caption', {}, L.caption), cols,
      el('thead', {}, head), el('tbody', {}, body));
  }

  appealsTable() {
    const L = this.layout.appeals;
    const [review, direct, after] = L.groups;
    const cols = L.columns.concat([L.total_column]);
    const head = [
      el('tr', {}, el('th', { colspan: '5' }, L.review_header), el('th', { colspan: '10' }, L.litigation_header)),
      el('tr', {}, cols.map((c) => el('th', { rowspan: '2' }, c)), el('th', { colspan: '5' }, direct.header), el('th', { colspan: '5' }, after.header)),
      el('tr', {}, cols.map((c) => el('th', {}, c)), cols.map((c) => el('th', {}, c))),
    ];
    const tr = el('tr', {});
    for (const g of [review, direct, after]) {
      for (let c = 0; c < 5; c++) {
        const key = 'appeals.' + g.key + '[' + c + ']';
        tr.append(c === 4 ? this.computedCell(key) : this.cell(key, 'count'));
      }
    }
    return el('table', { class: 'grid t4', 'data-key': 'appeals' }, el('caption', {}, L.caption),
      el('thead', {}, head), el('tbody', {}, tr));
  }

  // --- editing -------------------------------------------------------------

  edit(key, value) {
    setAt(this.data, key, value);
    this.changed();
  }

  changed() {
    this.dirty = true;
    this.status.textContent = '未保存';
    this.status.className = 'save-status dirty';
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => this.check(), CHECK_DELAY);
  }

  add(path, value) {
    let list = getAt(this.data, path);
    if (!Array.isArray(list)) { list = []; setAt(this.data, path, list); }
    list.push(value);
    this.render();
    this.changed();
    const fields = this.form.querySelectorAll('[data-list="' + CSS.escape(path) + '"] > :nth-last-child(2) textarea, [data-list="' + CSS.escape(path) + '"] > :nth-last-child(2) .item-title');
    if (fields.length) fields[0].focus();
  }

  remove(path, i) {
    const list = getAt(this.data, path);
    const item = list[i];
    const what = item && typeof item === 'object' ? '这一条（连同其中的段落和子条目）' : '这一段';
    const empty = item === null || item === '' ||
      (typeof item === 'object' && !item.title && !(item.items || []).length && (item.paragraphs || []).every((t) => !t));
    if (!empty && !confirm('删除' + what + '？')) return;
    list.splice(i, 1);
    this.render();
    this.changed();
  }

  move(path, i, by) {
    const list = getAt(this.data, path);
    const j = i + by;
    if (j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    this.render();
    this.changed();
  }

  /** A block pasted into a table cell: fills the cells right and down of it. */
  paste(e) {
    const text = (e.clipboardData || window.clipboardData).getData('text/plain');
    const block = parseBlock(text);
    if (block.length === 1 && block[0].length === 1) return; // one value: the input takes it
    e.preventDefault();
    const td = e.target.closest('td');
    const table = td.closest('table');
    const grid = gridOf(table);
    const at = findInGrid(grid, td);
    if (!at) return;
    let filled = 0;
    block.forEach((values, i) => {
      const row = grid[at.row + i];
      if (!row) return;
      values.forEach((v, j) => {
        const cell = row[at.col + j];
        if (!cell) return;
        const input = cell.querySelector('input');
        input.value = v === null ? '' : v;
        setAt(this.data, cell.dataset.key, cellValue(input.value, input.dataset.kind));
        filled++;
      });
    });
    this.changed();
    toast('已粘贴 ' + filled + ' 格');
  }

  async uploadSeal(file) {
    if (!file) return;
    const r = await call('PUT', reportUrl(this.name, '/seal'), file, { raw: true, type: file.type || 'application/octet-stream' });
    if (!r.ok) { toast(errorMessage(r), 'error'); return; }
    this.data.seal = r.body.seal;
    this.render();
    this.changed();
  }

  /** The ${…} picker: inserts a reference at the caret of `field`. */
  picker(field) {
    const target = field || this.lastField;
    const close = () => overlay.remove();
    const search = el('input', { type: 'search', placeholder: '搜索：如 新收、总计、行政复议', class: 'picker-search' });
    const list = el('ul', { class: 'picker-list' });
    const fill = () => {
      const q = search.value.trim();
      list.replaceChildren(...this.refs
        .filter((r) => !q || r.label.includes(q) || r.name.includes(q))
        .slice(0, 200)
        .map((r) => el('li', {},
          el('button', {
            type: 'button', onclick: () => {
              insertAtCaret(target, '${' + r.name + '}');
              close();
            },
          }, el('span', { class: 'ref-label' }, r.label), el('code', {}, '${' + r.name + '}')))));
    };
    search.addEventListener('input', fill);
    const overlay = el('div', { class: 'overlay', onclick: (e) => { if (e.target === overlay) close(); } },
      el('div', { class: 'picker' },
        el('div', { class: 'picker-head' }, el('strong', {}, '插入表格中的数字'),
          el('button', { type: 'button', class: 'icon', onclick: close }, '✕')),
        el('p', { class: 'muted small' }, '正文中的 ${…} 在印出时换成表格中的数，文字和表格永远一致。'),
        search, list));
    document.body.append(overlay);
    fill();
    search.focus();
  }

  // --- checks, totals, preview --------------------------------------------

  async check() {
    const seq = ++this.checkSeq;
    const r = await call('POST', '/api/check?report=' + encodeURIComponent(this.name) + '&tab=' + TAB, this.data);
    if (seq !== this.checkSeq) return;
    if (!r.ok) { toast(errorMessage(r), 'error'); return; }
    this.apply(r.body);
    this.refreshPreview();
  }

  /** Shows findings, totals and item numbers from a check. */
  apply(result) {
    this.result = result;
    this.numbers = result.numbers || {};
    for (const n of this.form.querySelectorAll('[data-number]')) n.textContent = this.numbers[n.dataset.number] || '…';
    for (const c of result.computed || []) {
      const td = this.form.querySelector('td[data-key="' + CSS.escape(c.key) + '"]');
      if (!td) continue;
      const v = td.querySelector('.value') || td;
      if (td.classList.contains('computed')) {
        v.textContent = c.value === null ? '' : String(c.value);
        td.classList.toggle('unknown', c.value === null);
      }
    }
    this.showFindings(result.findings || []);
  }

  /** The element a finding belongs to: its key, else the nearest one above it. */
  placeOf(key) {
    let k = key;
    while (true) {
      const found = this.form.querySelector('[data-key="' + CSS.escape(k) + '"]');
      if (found) return found;
      if (!k) return null;
      const cut = Math.max(k.lastIndexOf('.'), k.lastIndexOf('['));
      k = cut > 0 ? k.slice(0, cut) : '';
    }
  }

  showFindings(findings) {
    for (const f of findings) if (!f.origin && this.importOrigins && this.importOrigins[f.key]) f.origin = this.importOrigins[f.key];
    for (const f of this.form.querySelectorAll('.flag, .finding-note')) f.remove();
    for (const f of this.form.querySelectorAll('.has-error, .has-warning')) f.classList.remove('has-error', 'has-warning');
    for (const i of this.form.querySelectorAll('td input[title]')) i.removeAttribute('title');
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.length - errors;
    this.findingsCount.textContent = findings.length ? (errors + ' 处错误，' + warnings + ' 处提示') : '全部通过';
    this.findingsCount.className = 'count ' + (errors ? 'bad' : warnings ? 'warn' : 'ok');
    this.findingsList.replaceChildren(...findings.map((f) => {
      const place = [f.table, f.row && ('行：' + f.row), f.column && ('列：' + f.column)].filter(Boolean).join(' · ');
      const target = this.placeOf(f.key);
      const li = el('li', { class: f.severity, 'data-rule': f.rule, 'data-key': f.key, tabindex: '0' },
        el('span', { class: 'rule' }, f.rule),
        el('span', { class: 'severity' }, f.severity === 'error' ? '错误' : '提示'),
        el('div', { class: 'message' }, f.message),
        place ? el('div', { class: 'place' }, place) : null,
        f.origin ? el('div', { class: 'origin' }, '位置：' + f.origin) : null,
        f.caused_by !== null && f.caused_by !== undefined ? el('div', { class: 'cause' }, '与第 ' + (f.caused_by + 1) + ' 条同一原因') : null);
      li.addEventListener('click', () => this.reveal(target));
      li.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.reveal(target); });
      if (target) this.mark(target, f);
      return li;
    }));
  }

  /** Puts a finding next to its cell or field. */
  mark(target, f) {
    const cls = f.severity === 'error' ? 'has-error' : 'has-warning';
    if (target.tagName === 'TD') {
      target.classList.add(cls);
      const where = f.origin ? '（' + f.origin + '）' : '';
      target.append(el('span', { class: 'flag ' + f.severity, title: f.rule + '：' + f.message + where, 'data-rule': f.rule }, f.rule));
      const input = target.querySelector('input');
      if (input) input.title = f.rule + '：' + f.message + where;
      return;
    }
    const slot = target.querySelector(':scope > .field-findings') || (target.classList.contains('field-findings') ? target : null);
    const note = el('div', { class: 'finding-note ' + f.severity, 'data-rule': f.rule },
      el('span', { class: 'rule' }, f.rule), ' ', f.message, f.origin ? '（' + f.origin + '）' : '');
    target.classList.add(cls);
    if (slot) {
      slot.append(note);
    } else if (target.tagName === 'TR') {
      const th = target.querySelector('th');
      if (th) th.append(el('span', { class: 'flag ' + f.severity, title: f.rule + '：' + f.message, 'data-rule': f.rule }, f.rule));
    } else if (target.tagName === 'TABLE') {
      target.before(note);
    } else {
      const h = target.querySelector(':scope > h2');
      if (h) h.after(note); else target.prepend(note);
    }
  }

  reveal(target) {
    if (!target) return;
    target.scrollIntoView({ behavior: 'smooth', block: 'center' });
    const field = target.matches('input, textarea') ? target : target.querySelector('input, textarea');
    if (field) setTimeout(() => field.focus({ preventScroll: true }), 300);
  }

  async refreshPreview() {
    const seq = ++this.previewSeq;
    this.previewStatus.textContent = '正在排版……';
    this.previewStatus.className = 'preview-status busy';
    const r = await call('GET', reportUrl(this.name, '/preview?tab=' + TAB));
    if (seq !== this.previewSeq) return;
    if (!r.ok) {
      this.previewStatus.textContent = '未更新：' + errorMessage(r);
      this.previewStatus.className = 'preview-status stale';
      this.pages.classList.add('stale');
      return;
    }
    this.pages.classList.remove('stale');
    const pages = r.body.pages;
    this.previewStatus.textContent = '共 ' + pages.length + ' 页';
    this.previewStatus.className = 'preview-status';
    const imgs = Array.from(this.pages.querySelectorAll('img'));
    pages.forEach((p, i) => {
      let img = imgs[i];
      if (!img) {
        img = el('img', { class: 'page', alt: '第 ' + p.number + ' 页', width: String(p.width), height: String(p.height), 'data-page': String(p.number) });
        this.pages.append(el('figure', {}, img, el('figcaption', {}, '第 ' + p.number + ' 页')));
      }
      if (img.dataset.hash !== p.hash) {
        img.dataset.hash = p.hash;
        img.src = reportUrl(this.name, '/pages/' + p.number + '.png') + '?tab=' + TAB + '&h=' + p.hash;
      }
    });
    for (const extra of imgs.slice(pages.length)) extra.closest('figure').remove();
  }

  // --- saving and downloads -----------------------------------------------

  async save(force) {
    if (this.kind === 'yaml' && !this.yamlAgreed) {
      if (!confirm('YAML 文件保存时会整体重写，文件中的注释将会丢失。继续保存吗？')) return false;
      this.yamlAgreed = true;
    }
    this.status.textContent = '正在保存……';
    const r = await call('PUT', reportUrl(this.name, '?tab=' + TAB), { revision: force || this.revision, data: this.data });
    if (r.status === 409 && r.body && r.body.error.kind === 'conflict') {
      this.status.textContent = '未保存：文件已被修改';
      this.status.className = 'save-status conflict';
      this.conflict(r.body.error);
      return false;
    }
    if (!r.ok) {
      this.status.textContent = '保存失败';
      this.status.className = 'save-status conflict';
      toast(errorMessage(r), 'error');
      return false;
    }
    this.revision = r.body.revision;
    this.dirty = false;
    this.status.textContent = '已保存 ' + new Date().toLocaleTimeString('zh-CN', { hour12: false });
    this.status.className = 'save-status saved';
    this.apply(r.body);
    return true;
  }

  conflict(error) {
    const close = () => overlay.remove();
    const overlay = el('div', { class: 'overlay' },
      el('div', { class: 'dialog', id: 'conflict', role: 'alertdialog' },
        el('h2', {}, '文件已被修改'),
        el('p', {}, error.message),
        el('div', { class: 'dialog-actions' },
          el('button', { type: 'button', onclick: () => { close(); this.dirty = false; route(); } }, '重新打开（放弃本窗口的修改）'),
          el('button', { type: 'button', class: 'danger', onclick: () => { close(); this.save(error.current); } }, '用本窗口的内容覆盖'),
          el('button', { type: 'button', class: 'secondary', onclick: close }, '取消'))));
    document.body.append(overlay);
  }

  async download(archive) {
    if (this.dirty && !(await this.save())) return;
    toast(archive ? '正在生成存档版……' : '正在生成 PDF……');
    const r = await call('POST', reportUrl(this.name, '/render' + (archive ? '?archive=true' : '')), undefined, { blob: true });
    if (!r.ok) {
      const e = r.body && r.body.error;
      toast(e && e.kind === 'findings' ? '有错误未改正，不能生成 PDF：请先处理“检查结果”中的错误' : errorMessage(r), 'error');
      return;
    }
    const file = archive ? this.pdfName.replace(/\.pdf$/, '（存档版）.pdf') : this.pdfName;
    const url = URL.createObjectURL(r.body);
    const a = el('a', { href: url, download: file, id: 'pdf-link' });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 60000);
    toast('已生成 ' + file);
  }
}

// ---------------------------------------------------------------------------
// Cells, pasting, keys
// ---------------------------------------------------------------------------

/** Blank markers of a pasted block: they stay blank, never 0. */
const BLANKS = new Set(['', '/', '／', '-', '－', '—', '——', '–', '−']);

/**
 * A block of text copied from Excel, WPS or a web table: rows by line, cells
 * by tab (or, without tabs, by runs of spaces, full-width ones too).
 */
function parseBlock(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  const tabs = lines.some((l) => l.includes('\t'));
  return lines.map((line) => {
    const cells = tabs ? line.split('\t') : line.trim().split(/[ \u3000\u00a0]+/);
    return cells.map((c) => {
      const t = c.replace(/[\u3000\u00a0]/g, ' ').trim();
      if (BLANKS.has(t)) return null;
      return /^[\d,]+(\.\d+)?$/.test(t) ? t.replace(/,/g, '') : t;
    });
  });
}

/** The value a cell's text stands for: blank → null, a number → a number. */
function cellValue(text, kind) {
  const t = text.trim();
  if (t === '') return null;
  if (/^[+-]?\d+$/.test(t)) {
    const n = Number(t);
    return Number.isSafeInteger(n) ? n : t;
  }
  // An amount keeps its digits: "7730.280" stays text (the reader takes it as written).
  if (/^[+-]?\d+\.\d+$/.test(t)) return kind === 'amount' && String(Number(t)) !== t ? t : Number(t);
  return t;
}

/** The input cells of a table as rows and columns. */
function gridOf(table) {
  return Array.from(table.querySelectorAll('tbody tr'))
    .map((tr) => Array.from(tr.querySelectorAll('td.input')))
    .filter((r) => r.length);
}

function findInGrid(grid, td) {
  for (let r = 0; r < grid.length; r++) {
    const c = grid[r].indexOf(td);
    if (c >= 0) return { row: r, col: c };
  }
  return null;
}

/** Arrow keys and Enter move between the cells of a table. */
function gridKeys(e) {
  const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], Enter: [1, 0] };
  const input = e.target;
  if (e.key === 'ArrowLeft' && input.selectionStart === 0) moves.ArrowLeft = [0, -1];
  if (e.key === 'ArrowRight' && input.selectionEnd === input.value.length) moves.ArrowRight = [0, 1];
  const m = moves[e.key];
  if (!m) return;
  const td = input.closest('td');
  const grid = gridOf(td.closest('table'));
  const at = findInGrid(grid, td);
  if (!at) return;
  const row = grid[at.row + m[0]];
  const next = row && row[Math.min(at.col + m[1], row.length - 1)];
  if (next) { e.preventDefault(); next.querySelector('input').focus(); next.querySelector('input').select(); }
}

function insertAtCaret(field, text) {
  if (!field) { toast('请先点一下要插入的段落'); return; }
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? field.value.length;
  field.value = field.value.slice(0, start) + text + field.value.slice(end);
  field.focus();
  field.setSelectionRange(start + text.length, start + text.length);
  field.dispatchEvent(new Event('input', { bubbles: true }));
}

function grow(area) {
  area.style.height = 'auto';
  area.style.height = (area.scrollHeight + 2) + 'px';
}

document.addEventListener('focusin', (e) => {
  if (e.target.tagName === 'TEXTAREA') grow(e.target);
});
