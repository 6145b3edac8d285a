;;; lsp_check.el --- Emacs + eglot as an LSP client of tuneconf  -*- lexical-binding: t -*-

;; Batch Emacs with eglot (Debian's elpa-eglot 1.9, or the eglot built into Emacs 29+) and yaml-mode
;; (elpa-yaml-mode): load the README's Emacs configuration, visit one config, wait for tuneconf's
;; diagnostics, ask for hover and completion the way eglot does for a user, print what came back as
;; one JSON line (tests/editors/test_emacs.py asserts on it).  Every wait is an
;; `accept-process-output' loop on a condition, with a limit.
;;
;; usage: TUNECONF_EMACS_PLAN='<json>' HOME=<empty dir> emacs --batch -q -l tests/editors/emacs/lsp_check.el
;; plan: { config = elisp file to load (the README's snippet), file = config path,
;;         wait_codes = diagnostic codes to wait for, timeout_s = limit of each wait,
;;         hover = {line, character},
;;         completions = [ {set_lines = [start, end, lines], position = {line, character}}, ... ] }
;; Positions are LSP's (0-based lines; characters count code units, the same as Emacs's columns
;; for the ASCII configs used here).
;; Exit status: 0 when every answer arrived, 1 otherwise (the JSON says which).
;;
;; The eglot entry points used, all present in eglot 1.9 and later: `eglot-ensure' (the user's hook),
;; `eglot-managed-p', `eglot-current-server', `flymake-diagnostics' (what the user sees; eglot keeps
;; the LSP diagnostic in each one's data, under `eglot-lsp-diag'), `eglot-hover-eldoc-function' (what
;; eldoc calls for hover), `eglot-completion-at-point' (the capf eglot installs), `eglot-shutdown';
;; one internal accessor, `eglot--server-info' (serverInfo of the initialize result), has no public
;; counterpart in 1.9.

;;; Code:

(require 'json)
(require 'subr-x)
(require 'cl-lib)

(defvar tuneconf-plan
  (let ((json-object-type 'alist) (json-array-type 'list) (json-key-type 'symbol))
    (json-read-from-string (or (getenv "TUNECONF_EMACS_PLAN") (error "Set TUNECONF_EMACS_PLAN")))))
(defvar tuneconf-timeout (or (alist-get 'timeout_s tuneconf-plan) 30))
(defvar tuneconf-out (list (cons 'emacs emacs-version)))
(defvar tuneconf-missing nil)

(defun tuneconf-put (key value) (push (cons key value) tuneconf-out))
(defun tuneconf-miss (what) (setq tuneconf-missing (append tuneconf-missing (list what))))

(defun tuneconf-finish ()
  (tuneconf-put 'missing (vconcat tuneconf-missing))
  (princ (concat "TUNECONF_EMACS_RESULT " (json-encode (reverse tuneconf-out)) "\n"))
  (kill-emacs (if tuneconf-missing 1 0)))

(defun tuneconf-wait (predicate)
  "Process input until PREDICATE is non-nil or the limit passes.
Return PREDICATE's last value."
  (let ((deadline (+ (float-time) tuneconf-timeout)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.02))
    value))

(defun tuneconf-goto (position)
  (goto-char (point-min))
  (forward-line (alist-get 'line position))
  (forward-char (alist-get 'character position)))

;; A failure anywhere still prints the JSON line (with what was missing), then exits 1.
(setq debug-on-error nil)
(condition-case err
    (progn
      ;; What Emacs's startup does for a user with an init file (-q skips it): activate the installed
      ;; packages (Debian's elpa-* in /usr/share/emacs/site-lisp/elpa, ~/.emacs.d/elpa).
      (package-initialize)
      (tuneconf-put 'config (load (alist-get 'config tuneconf-plan) nil t t))
      (tuneconf-put 'eglot_library (locate-library "eglot"))

      ;; The user's C-x C-f: visiting the file picks yaml-mode, whose hook runs `eglot-ensure'; the
      ;; command loop's post-command-hook is where eglot-ensure connects, and batch Emacs has no
      ;; command loop, so run that hook as the end of the command would.
      (find-file (alist-get 'file tuneconf-plan))
      (tuneconf-put 'major_mode (symbol-name major-mode))
      (run-hooks 'post-command-hook)
      (unless (tuneconf-wait (lambda () (eglot-managed-p)))
        (tuneconf-miss "eglot-managed-p")
        (tuneconf-finish))
      (let ((info (eglot--server-info (eglot-current-server))))
        (tuneconf-put 'server (list (cons 'name (plist-get info :name))
                                    (cons 'version (plist-get info :version)))))

      ;; 1. Diagnostics, as flymake shows them (wait for every code the plan names: the server first
      ;; publishes what it finds without the environment, then the full set).
      (let ((codes (alist-get 'wait_codes tuneconf-plan)))
        (unless (tuneconf-wait
                 (lambda ()
                   (let ((seen (mapcar (lambda (d) (plist-get (alist-get 'eglot-lsp-diag
                                                                         (flymake-diagnostic-data d))
                                                              :code))
                                       (flymake-diagnostics))))
                     (and seen (cl-every (lambda (c) (member c seen)) codes)))))
          (tuneconf-miss "diagnostics")))
      (tuneconf-put 'flymake_backends
                    (vconcat (mapcar #'symbol-name (remq t flymake-diagnostic-functions))))
      (tuneconf-put
       'diagnostics
       (vconcat
        (mapcar
         (lambda (d)
           (let ((lsp (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d)))
                 (beg (flymake-diagnostic-beg d))
                 (end (flymake-diagnostic-end d)))
             (list (cons 'code (plist-get lsp :code))
                   (cons 'source (plist-get lsp :source))
                   (cons 'type (symbol-name (flymake-diagnostic-type d)))
                   (cons 'text (flymake-diagnostic-text d))
                   ;; 0-based line and column of the flymake region, as LSP's range
                   (cons 'range (vector (1- (line-number-at-pos beg t))
                                        (save-excursion (goto-char beg) (current-column))
                                        (1- (line-number-at-pos end t))
                                        (save-excursion (goto-char end) (current-column)))))))
         (flymake-diagnostics))))

      ;; 2. Hover, through the function eglot puts in `eldoc-documentation-functions'.
      (tuneconf-put 'eldoc_functions
                    (vconcat (mapcar (lambda (f) (format "%s" f))
                                     (remq t eldoc-documentation-functions))))
      (tuneconf-goto (alist-get 'hover tuneconf-plan))
      (let* ((answer nil)
             (got (progn (eglot-hover-eldoc-function
                          (lambda (doc &rest _) (setq answer (list (or doc "")))))
                         (tuneconf-wait (lambda () answer)))))
        (if got
            (tuneconf-put 'hover (substring-no-properties (car answer)))
          (tuneconf-miss "hover")))

      ;; 3. Completions, each after an edit of the buffer, through eglot's capf: the candidates
      ;; completion-at-point would offer for the text before point.
      (tuneconf-put 'capf_installed (and (memq #'eglot-completion-at-point completion-at-point-functions) t))
      (let (all)
        (dolist (step (alist-get 'completions tuneconf-plan))
          (let* ((edit (alist-get 'set_lines step))
                 (start (nth 0 edit)) (end (nth 1 edit)) (lines (nth 2 edit)))
            (goto-char (point-min))
            (forward-line start)
            (let ((beg (point)))
              (forward-line (- end start))
              (delete-region beg (point))
              (goto-char beg)
              (insert (mapconcat #'identity lines "\n") "\n")))
          (tuneconf-goto (alist-get 'position step))
          (let* ((capf (eglot-completion-at-point))
                 (prefix (buffer-substring-no-properties (nth 0 capf) (nth 1 capf)))
                 (items (all-completions prefix (nth 2 capf))))
            (push (vconcat (mapcar #'substring-no-properties items)) all)))
        (tuneconf-put 'completions (vconcat (nreverse all))))

      (let ((server (eglot-current-server)))
        (eglot-shutdown server)
        (unless (tuneconf-wait (lambda () (not (jsonrpc-running-p server))))
          (tuneconf-miss "shutdown"))))
  (error (tuneconf-miss (format "error: %S" err))))
(tuneconf-finish)

;;; lsp_check.el ends here
