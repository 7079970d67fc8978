-- Plumber in Neovim 0.11+ (docs/editors.md shows this file; tests/editors/test_neovim.py runs it).
vim.lsp.config('plumber', {
  cmd = { 'plumber', 'serve' },
  filetypes = { 'go' },
  root_markers = { 'go.mod', '.git' },
  -- Answered to the server's workspace/configuration request (section "plumber").
  settings = {
    plumber = {
      debounce = 100,
      checks = {
        ['unclosed-body'] = { enabled = true, severity = 'error' },
      },
    },
  },
})
vim.lsp.enable('plumber')
