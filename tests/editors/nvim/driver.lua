-- Drives a real Neovim through the Plumber flow; tests/editors/test_neovim.py reads the result.
-- Env: PLUMBER_NVIM_CONFIG (the config to load), PLUMBER_NVIM_RESULT (a JSON file to write),
--      PLUMBER_NVIM_EDIT (the text to type in insert mode, at the end of the file).
local result = { steps = {} }
local TIMEOUT = 20000

local function step(name, data)
  data = data or {}
  data.step = name
  data.ms = math.floor(vim.uv.hrtime() / 1e6)
  table.insert(result.steps, data)
end

local function finish(ok, err)
  result.ok = ok
  result.error = err
  local f = assert(io.open(os.getenv('PLUMBER_NVIM_RESULT'), 'w'))
  f:write(vim.json.encode(result))
  f:close()
  vim.cmd(ok and 'qa!' or 'cquit!')
end

local function diags()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(out, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      message = d.message, code = d.code, source = d.source, severity = d.severity,
    })
  end
  return out
end

local function plumber_client()
  return vim.lsp.get_clients({ bufnr = 0, name = 'plumber' })[1]
end

local function wait(what, cond)
  if not vim.wait(TIMEOUT, cond, 20) then
    error('timed out waiting for ' .. what)
  end
end

local function run()
  dofile(os.getenv('PLUMBER_NVIM_CONFIG'))
  -- The file given on the command line was loaded before this script ran: re-read it so that
  -- its FileType event starts the client that vim.lsp.enable registered.
  vim.cmd.edit()
  wait('the plumber client', function() return plumber_client() ~= nil end)
  local client = plumber_client()
  wait('initialization', function() return client.initialized end)
  step('attached', {
    server = client.server_info,
    offset_encoding = client.offset_encoding,
    change = vim.tbl_get(client.server_capabilities, 'textDocumentSync', 'change'),
  })

  wait('diagnostics', function() return #vim.diagnostic.get(0) > 0 end)
  step('diagnostics', { diagnostics = diags() })

  -- Ask for code actions at the finding, as a user's `vim.lsp.buf.code_action()` does.
  local d = vim.diagnostic.get(0)[1]
  local lsp_diag = d.user_data and d.user_data.lsp
  assert(lsp_diag, 'the diagnostic carries no LSP diagnostic')
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(0),
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, only = { 'quickfix' }, triggerKind = 1 },
  }
  local responses = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', params, TIMEOUT)
  local actions = {}
  for _, r in pairs(responses or {}) do
    if r.err then error('codeAction: ' .. vim.inspect(r.err)) end
    for _, a in ipairs(r.result or {}) do table.insert(actions, a) end
  end
  step('code_actions', { titles = vim.tbl_map(function(a) return a.title end, actions) })
  local chosen
  for _, a in ipairs(actions) do
    if a.title == 'Insert defer resp.Body.Close()' then chosen = a end
  end
  assert(chosen, 'no "Insert defer resp.Body.Close()" action')
  if not chosen.edit and not chosen.command then
    local r = client:request_sync('codeAction/resolve', chosen, TIMEOUT, 0)
    assert(r and not r.err, 'codeAction/resolve failed: ' .. vim.inspect(r))
    chosen = r.result
  end
  if chosen.edit then
    vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  end
  if chosen.command then
    client:exec_cmd(chosen.command, { bufnr = 0 })
  end
  vim.cmd.write()
  step('fixed_and_written')

  wait('the diagnostic to go', function() return #vim.diagnostic.get(0) == 0 end)
  step('clean', { diagnostics = diags() })

  -- Type a new leaking function at the end of the file in insert mode: Neovim sends the
  -- keystrokes as incremental didChange notifications.
  local edit = os.getenv('PLUMBER_NVIM_EDIT')
  vim.cmd('set paste') -- insert the text as typed, without auto-indent
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('Go' .. edit .. '<Esc>', true, false, true), 'xt', false)
  step('typed', { lines = vim.api.nvim_buf_line_count(0) })
  wait('the new diagnostic', function() return #vim.diagnostic.get(0) > 0 end)
  step('new_diagnostics', { diagnostics = diags() })
  result.buffer = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
end

local ok, err = xpcall(run, debug.traceback)
finish(ok, err and tostring(err) or nil)
