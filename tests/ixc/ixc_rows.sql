-- Rows of the acceptance test: two filiais (the two test branches by CNPJ), valid and invalid
-- customers, active / blocked / cancelled contracts, a clear and an MD5 login, open, paid and
-- cancelled receivables, a new and a solved ticket.
INSERT INTO filial VALUES (1, 'Enlace Telecom Ltda', 'Matriz', '11.222.333/0001-81'),
  (2, 'Enlace Telecom Campinas Ltda', 'Campinas', '11.444.777/0001-61');
INSERT INTO cidade VALUES (1, 'SÃO PAULO', 'SP', '3550308'), (2, 'CAMPINAS', 'SP', '3509502');
INSERT INTO radgrupos VALUES (1, 'FIBRA_100M', '100M', '50M');
INSERT INTO vd_contratos VALUES (1, 'FIBRA 100 MEGA', 99.90, 1, 'S');
INSERT INTO cliente VALUES
  (1, 'F', 'Maria da Silva', '', '529.982.247-25', '12.345.678-9', '1980-05-17', 'Rua Augusta', '100',
   'ap 12', 'Consolação', '01305-000', 1, 'SP', 'perto do metrô', '(11) 3333-4444', '(11) 98765-4321',
   '(11) 98765-4321', 'maria@example.com', 'maria@example.com', 'segredo-1', 'S', 'cliente antiga', '',
   '-23.5531', '-46.6573', 1, '2019-02-01'),
  (2, 'J', 'Padaria Pão Bom Ltda', 'Pão Bom', '04.252.011/0001-10', 'ISENTO', '0000-00-00', 'Av. Brasil',
   '2000', '', 'Centro', '13010-000', 2, 'SP', '', '(19) 3232-0000', '(19) 99999-0000', '', 'padaria@example.com',
   'padaria', 'e10adc3949ba59abbe56e057f20f883e', 'S', '', 'paga em dinheiro', '', '', 2, '2020-06-01'),
  (3, 'F', 'Documento Errado', '', '111.111.111-12', '', NULL, 'Rua Um', '1', '', 'Centro', '01001-000', 1,
   'SP', '', '', '', '', '', '', '', 'S', '', '', '', '', 1, NULL),
  (4, 'F', 'José Cancelado', '', '123.456.789-09', '', NULL, 'Rua Dois', '2', '', 'Centro', '01001-000', 1,
   'SP', '', '', '(11) 91234-5678', '', '', '', '', 'N', '', '', '', '', 1, NULL);
INSERT INTO cliente_contrato VALUES
  (1, 1, 1, 'FIBRA 100 MEGA', 'A', 'A', '2024-03-01', '2024-03-15', '2024-03-01', NULL, '', 1, '', 10),
  (2, 2, 1, 'FIBRA 100 MEGA', 'A', 'A', '2024-04-01', '2024-04-02', NULL, NULL, '', 2, '', NULL),
  (3, 3, 1, 'FIBRA 100 MEGA', 'A', 'A', '2024-05-01', '2024-05-01', NULL, NULL, '', 1, '', 5),
  (4, 4, 1, 'FIBRA 100 MEGA', 'I', 'D', '2023-01-01', '2023-01-05', NULL, '2024-01-05', 'mudou de cidade', 1, '', 5),
  (5, 1, 1, 'FIBRA 100 MEGA', 'A', 'CM', '2025-01-01', '2025-01-02', NULL, NULL, '', 1, 'ponto extra', 20);
INSERT INTO radusuarios VALUES
  (1, 1, 1, 'maria@fibra', 'senha-clara', 'N', 'S', 'S', 'L', 'F', '', '', 1, '2026-12-01 08:00:00'),
  (2, 2, 2, 'padaria', 'd39d9d4535688729235b692f555e8299', 'S', 'S', 'N', 'L', 'F', '', '', 1, NULL),
  (3, 3, 3, 'errado', 'x', 'N', 'S', 'N', 'L', 'F', '', '', 1, NULL);
INSERT INTO fn_areceber VALUES
  (1, 1, 1, '2026-11-20', '2026-12-10', 99.90, 99.90, 0, 'A', '1234', '', NULL, 1, 1, 'Mensalidade 12/2026', 'S'),
  (2, 1, 1, '2026-10-20', '2026-11-10', 99.90, 0, 99.90, 'R', '1233', '', '2026-11-09', 1, 1, 'Mensalidade 11/2026', 'S'),
  (3, 2, 2, '2026-11-20', '2026-12-10', 149.90, 149.90, 0, 'A', '1240', '', NULL, 1, 2, '', 'S'),
  (4, 1, 1, '2026-09-20', '2026-10-10', 99.90, 99.90, 0, 'C', '1230', '', NULL, 1, 1, 'Cancelado', 'S');
INSERT INTO su_oss_assunto VALUES (1, 'Sem conexão', 'S'), (2, 'Financeiro', 'S');
INSERT INTO su_ticket VALUES
  (1, '202611300001', 1, 1, 1, 1, 'Internet caiu', 'Cliente relata queda desde ontem.', 'N', 'M', 1,
   '2026-11-30 10:00:00', 1),
  (2, '202611150007', 2, 2, 2, NULL, 'Segunda via', 'Pediu segunda via do boleto.', 'S', 'B', 1,
   '2026-11-15 09:30:00', 2);
INSERT INTO su_mensagens VALUES (1, 1, 'Verificando o sinal.', '2026-11-30 10:05:00', 1, 'PU'),
  (2, 1, 'ONU trocada na visita.', '2026-11-30 11:00:00', 2, 'PR'),
  (3, 99, 'Ticket que não veio.', '2026-11-30 12:00:00', NULL, 'PU');
-- Operators: one with the e-mail of Enlace's admin (mapped), one new (created inactive).
INSERT INTO usuarios VALUES (1, 'Administrador', 'ADMIN@x.com', 'admin.ixc', 'A'),
  (2, 'Carlos Técnico', 'carlos@provedor.example', 'carlos', 'A');
-- Service orders: an open one of ticket 1, a finished one of the solved ticket 2, one of the
-- refused customer 3.
INSERT INTO su_oss_chamado VALUES
  (1, '202612010001', 1, 1, 1, 1, 1, NULL, NULL, 'A', 'M', 'Visita técnica: sem sinal.', '',
   '2026-12-01 09:00:00', NULL, NULL, '', 1),
  (2, '202611160002', 2, 2, 2, NULL, 2, NULL, NULL, 'F', 'B', 'Entregar a segunda via.', '',
   '2026-11-16 08:00:00', NULL, '2026-11-16 12:00:00', 'Entregue ao cliente.', 2),
  (3, '202611170003', NULL, 3, NULL, NULL, 1, NULL, NULL, 'A', 'M', 'Instalação.', '',
   '2026-11-17 08:00:00', NULL, NULL, '', 1);
