"""Combination (결합) across three separated parties: providers make combination keys
(결합키) and serial numbers (일련번호); the key-management agency (결합키관리기관) turns keys into
linking information (결합키연계정보); the combination agency (결합전문기관) joins the providers'
pseudonymized payloads through it. Every hand-over is a transfer artifact (file + manifest)."""
