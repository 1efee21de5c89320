// Start an import: the entity type (the API's enum), a file dropped or chosen (uploaded through
// POST /v1/uploads with a progress bar) or a URL, the options, then the task's page.
import { api, apiEnum, uploadFile } from '../lib/api.js';
import { el, field, fmt, select } from '../lib/dom.js';
import { IMPORT_OPTIONS } from '../parts/import-options.js';

/** CSV unless the name says JSON (.json, .ndjson, .jsonl, also gzipped), as the CLI decides. */
export function fileTypeOf(name) {
  const path = String(name)
    .replace(/[?#].*$/, '')
    .replace(/\.gz$/i, '');
  return /\.(nd)?jsonl?$|\.json$/i.test(path) ? 'JSON' : 'CSV';
}

export function render(view, _params, ctx) {
  const q = ctx.query;
  const c = new AbortController();
  const entity = select('entity_type', [], { required: true });
  entity.append(el('option', { value: '' }, 'choose…'));
  apiEnum('EntityType').then(
    (values) => {
      entity.append(...values.map((v) => el('option', { value: v }, v)));
      entity.value = q.get('entity_type') ?? '';
    },
    (err) => ctx.say(`The entity types could not be loaded: ${err.message}`, 'error'),
  );
  const fileType = select('file_type', ['', 'CSV', 'JSON'], {
    labels: { '': 'from the file name' },
    value: q.get('file_type') === 'JSON' ? 'JSON' : '',
  });

  // The source: a file (dropped or chosen) or a URL.
  const fromFile = el('input', {
    type: 'radio',
    name: 'source',
    value: 'file',
    id: 'source-file',
    checked: true,
  });
  const fromUrl = el('input', { type: 'radio', name: 'source', value: 'url', id: 'source-url' });
  const fileInput = el('input', {
    type: 'file',
    id: 'file',
    name: 'file',
    accept: '.csv,.json,.ndjson,.jsonl,.gz,text/csv,application/json',
  });
  const chosen = el(
    'p',
    { class: 'chosen', id: 'chosen', 'aria-live': 'polite' },
    'No file chosen.',
  );
  const drop = el(
    'div',
    { class: 'drop', id: 'drop' },
    el('label', { for: 'file' }, 'Drop a CSV or JSON file here, or choose one'),
    fileInput,
    chosen,
  );
  const url = el('input', {
    type: 'url',
    id: 'url',
    name: 'file_url',
    placeholder: 'https://… or s3://…',
    disabled: true,
  });
  const urlField = field(
    'File URL',
    url,
    'http(s)://, s3:// or store:// — read by the importer, not by this browser.',
  );
  const source = el(
    'fieldset',
    { class: 'source' },
    el('legend', {}, 'Source'),
    el(
      'div',
      { class: 'radios' },
      el('label', {}, fromFile, ' Upload a file'),
      el('label', {}, fromUrl, ' From a URL'),
    ),
    drop,
    urlField,
  );
  let file = null;
  const choose = (f) => {
    file = f ?? null;
    chosen.textContent = file ? `${file.name} · ${fmt(file.size)} bytes` : 'No file chosen.';
    if (file && !name.value) name.placeholder = file.name;
  };
  fileInput.addEventListener('change', () => choose(fileInput.files[0]));
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });
  const syncSource = () => {
    const isFile = fromFile.checked;
    drop.hidden = !isFile;
    fileInput.disabled = !isFile;
    url.disabled = isFile;
    url.required = !isFile;
    urlField.hidden = isFile;
  };
  fromFile.addEventListener('change', syncSource);
  fromUrl.addEventListener('change', syncSource);
  syncSource();

  const name = el('input', {
    type: 'text',
    id: 'file-name',
    name: 'file_name',
    maxlength: 255,
    autocomplete: 'off',
  });
  const options = el('fieldset', { class: 'options', id: 'options' }, el('legend', {}, 'Options'));
  const inputs = IMPORT_OPTIONS.map((o) => {
    const input =
      o.kind === 'checkbox'
        ? el('input', { type: 'checkbox', name: o.key, id: `opt-${o.key}` })
        : el('input', {
            type: 'number',
            name: o.key,
            id: `opt-${o.key}`,
            min: o.min,
            max: o.max,
            step: o.step ?? 1,
            inputmode: o.step === 'any' ? 'decimal' : 'numeric',
          });
    // A box reads best with its label beside it: `[x] Dry run`, the hint under both.
    if (o.kind === 'checkbox') {
      input.setAttribute('aria-describedby', `opt-${o.key}-hint`);
      options.append(
        el(
          'div',
          { class: 'field check' },
          el('label', {}, input, ` ${o.label}`),
          el('p', { class: 'hint', id: `opt-${o.key}-hint` }, o.hint),
        ),
      );
    } else options.append(field(o.label, input, o.hint));
    return [o, input];
  });

  const progress = el('progress', {
    id: 'upload-progress',
    max: 100,
    value: 0,
    'aria-label': 'Upload progress',
  });
  const progressText = el('span', { id: 'upload-text', 'aria-live': 'polite' });
  const uploadBox = el('div', { class: 'upload', hidden: true }, progress, progressText);
  const problem = el('p', { class: 'problem', id: 'import-problem', role: 'alert' });
  const submit = el('button', { type: 'submit', class: 'cta' }, 'Start import');
  const form = el(
    'form',
    { id: 'import-form', class: 'stack', novalidate: false },
    field('Entity type', entity),
    source,
    field('File type', fileType),
    field('File name', name, 'Optional: kept with the task and shown in the list.'),
    options,
    uploadBox,
    problem,
    submit,
  );
  const from = q.get('from');
  view.append(
    el('h2', {}, 'New import'),
    from
      ? el(
          'p',
          { class: 'hint' },
          'A corrected file for ',
          el('a', { href: `#/tasks/${from}` }, from),
          ': rows whose id was already imported are not written twice.',
        )
      : '',
    form,
  );

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    problem.textContent = '';
    if (!entity.value) return fail('Choose the entity type.', entity);
    const metadata = {};
    for (const [o, input] of inputs) {
      if (o.kind === 'checkbox') {
        if (input.checked) metadata[o.key] = true;
      } else if (input.value !== '') {
        const n = Number(input.value);
        const min = o.min ?? 0;
        if (o.step === 'any') {
          if (!Number.isFinite(n) || n < min || (o.max != null && n > o.max))
            return fail(`${o.label} must be a number from ${min} to ${o.max}.`, input);
        } else if (!Number.isInteger(n) || n < min || (o.max != null && n > o.max))
          return fail(`${o.label} must be a whole number ≥ ${min}.`, input);
        metadata[o.key] = n;
      }
    }
    submit.disabled = true;
    try {
      let fileUrl;
      let fileName = name.value.trim() || undefined;
      if (fromFile.checked) {
        if (!file) return fail('Choose or drop a file first.', fileInput);
        uploadBox.hidden = false;
        const up = await uploadFile(
          file,
          (sent, total) => {
            const pct = total ? Math.floor((sent / total) * 100) : 0;
            progress.value = pct;
            progressText.textContent = `Uploading ${file.name}: ${pct}% (${fmt(sent)} of ${fmt(total)} bytes)`;
          },
          c.signal,
        );
        progress.value = 100;
        progressText.textContent = `Uploaded ${up.file_name} (${fmt(up.size)} bytes).`;
        fileUrl = up.file_url;
        fileName ??= file.name;
      } else {
        fileUrl = url.value.trim();
        if (!fileUrl) return fail('Give the file’s URL.', url);
      }
      const type = fileType.value || fileTypeOf(fileName ?? fileUrl);
      const task = await api('/v1/tasks', {
        method: 'POST',
        body: {
          task_type: 'IMPORT',
          entity_type: entity.value,
          file_type: type,
          file_url: fileUrl,
          ...(fileName ? { file_name: fileName } : {}),
          ...(Object.keys(metadata).length ? { metadata } : {}),
        },
      });
      ctx.navigate(`#/tasks/${encodeURIComponent(task.id)}`);
    } catch (err) {
      if (err.name !== 'AbortError') fail(err.message);
    } finally {
      submit.disabled = false;
    }
  });

  function fail(text, focus) {
    problem.textContent = text;
    focus?.focus();
    submit.disabled = false;
  }

  return () => c.abort();
}
