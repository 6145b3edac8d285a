-- Headless Neovim (0.10 or newer) as an LSP client of tuneconf: attach the server to one config,
-- wait for its diagnostics, ask for hover and completion, print what came back as one JSON line
-- (tests/editors/test_neovim.py asserts on it). Every wait is vim.wait on a condition, with a limit.
--
-- usage: TUNECONF_NVIM_PLAN='<json>' nvim --headless --clean -l tests/editors/nvim/lsp_check.lua
-- plan: { cmd = argv of the server, file = config path, root = workspace folder,
--         wait_codes = diagnostic codes to wait for, timeout_ms = limit of each wait,
--         hover = {line, character},
--         completions = { {set_lines = {start, end, lines}, position = {line, character}}, ... } }
-- Exit status: 0 when every answer arrived, 1 otherwise (the JSON says which).
local plan_json = assert(os.getenv("TUNECONF_NVIM_PLAN"), "set TUNECONF_NVIM_PLAN")
local plan = vim.json.decode(plan_json)
local timeout = plan.timeout_ms or 30000
local out = { nvim = tostring(vim.version()), missing = {} }

local function finish()
  io.stdout:write("TUNECONF_NVIM_RESULT " .. vim.json.encode(out) .. "\n")
  io.stdout:flush()
  os.exit(#out.missing == 0 and 0 or 1)
end

vim.cmd.edit(vim.fn.fnameescape(plan.file))
local buf = vim.api.nvim_get_current_buf()
vim.bo[buf].filetype = "yaml"
local uri = vim.uri_from_bufnr(buf)

local client_id = vim.lsp.start({ name = "tuneconf", cmd = plan.cmd, root_dir = plan.root }, { bufnr = buf })
if client_id == nil then
  table.insert(out.missing, "vim.lsp.start")
  finish()
end
out.attached = vim.wait(timeout, function()
  return #vim.lsp.get_clients({ bufnr = buf, name = "tuneconf" }) > 0
end, 20)
local client = vim.lsp.get_client_by_id(client_id)
out.server = client and client.server_info or vim.NIL

-- 1. Diagnostics, pushed after didOpen (wait for every code the plan names).
local function codes_present()
  local seen = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    seen[d.code or ""] = true
  end
  for _, code in ipairs(plan.wait_codes or {}) do
    if not seen[code] then
      return false
    end
  end
  return next(vim.diagnostic.get(buf)) ~= nil
end
if not vim.wait(timeout, codes_present, 20) then
  table.insert(out.missing, "diagnostics")
end
out.diagnostics = vim.tbl_map(function(d)
  return {
    code = d.code, source = d.source, message = d.message, severity = d.severity,
    range = { d.lnum, d.col, d.end_lnum, d.end_col },
  }
end, vim.diagnostic.get(buf))

local function request(method, position)
  local params = { textDocument = { uri = uri }, position = position }
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, timeout)
  local response = responses and responses[client_id]
  if response == nil or response.err ~= nil then
    table.insert(out.missing, method .. ": " .. tostring(err or (response and vim.inspect(response.err))))
    return nil
  end
  return response.result
end

-- 2. Hover.
local hover = request("textDocument/hover", plan.hover)
out.hover = hover and hover.contents or vim.NIL

-- 3. Completions, each after an edit of the buffer (sent to the server before the request).
out.completions = {}
for _, step in ipairs(plan.completions or {}) do
  local edit = step.set_lines
  vim.api.nvim_buf_set_lines(buf, edit[1], edit[2], false, edit[3])
  local result = request("textDocument/completion", step.position)
  local items = result and (result.items or result) or {}
  table.insert(out.completions, vim.tbl_map(function(item)
    return item.label
  end, items))
end

vim.lsp.stop_client(client_id)
if not vim.wait(timeout, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20) then
  table.insert(out.missing, "shutdown")
end
finish()
