-- An IXC-shaped database: the tables the import reads, with the key columns and codes of IXC
-- Provedor's public webservice/API documentation and open integrations (docs/ixc.md lists the
-- sources and marks what is inferred). Not IXC's full schema: only what Enlace reads.
CREATE TABLE filial (
  id INT PRIMARY KEY, razao VARCHAR(150), fantasia VARCHAR(150), cnpj VARCHAR(20)
);
CREATE TABLE cidade (
  id INT PRIMARY KEY, nome VARCHAR(80), uf VARCHAR(2), cod_ibge VARCHAR(7)
);
CREATE TABLE radgrupos (
  id INT PRIMARY KEY, grupo VARCHAR(60), download VARCHAR(20), upload VARCHAR(20)
);
CREATE TABLE vd_contratos (
  id INT PRIMARY KEY, nome VARCHAR(100), valor_contrato DECIMAL(12,2), id_grupo INT, ativo CHAR(1) DEFAULT 'S'
);
CREATE TABLE cliente (
  id INT PRIMARY KEY, tipo_pessoa CHAR(1), razao VARCHAR(150), fantasia VARCHAR(150),
  cnpj_cpf VARCHAR(20), ie_identidade VARCHAR(30), data_nascimento DATE NULL,
  endereco VARCHAR(150), numero VARCHAR(20), complemento VARCHAR(80), bairro VARCHAR(80),
  cep VARCHAR(10), cidade INT, uf VARCHAR(2), referencia VARCHAR(200),
  fone VARCHAR(20), telefone_celular VARCHAR(20), whatsapp VARCHAR(20), email VARCHAR(200),
  hotsite_email VARCHAR(100), senha VARCHAR(100), ativo CHAR(1) DEFAULT 'S', obs TEXT, alerta TEXT,
  latitude VARCHAR(20), longitude VARCHAR(20), filial_id INT, data_cadastro DATE NULL
);
CREATE TABLE cliente_contrato (
  id INT PRIMARY KEY, id_cliente INT, id_vd_contrato INT, contrato VARCHAR(100),
  status CHAR(2), status_internet CHAR(2), data DATE NULL, data_ativacao DATE NULL,
  data_assinatura DATE NULL, data_cancelamento DATE NULL, motivo_cancelamento VARCHAR(200),
  id_filial INT, obs TEXT, dia_fixo_vencimento INT NULL
);
CREATE TABLE radusuarios (
  id INT PRIMARY KEY, id_cliente INT, id_contrato INT, login VARCHAR(64), senha VARCHAR(64),
  senha_md5 CHAR(1) DEFAULT 'N', ativo CHAR(1) DEFAULT 'S', online CHAR(1) DEFAULT 'N',
  autenticacao CHAR(1) DEFAULT 'L', tipo_conexao_mapa VARCHAR(10), mac VARCHAR(17), ip VARCHAR(15),
  id_grupo INT, ultima_conexao_inicial DATETIME NULL
);
CREATE TABLE fn_areceber (
  id INT PRIMARY KEY, id_cliente INT, id_contrato INT, data_emissao DATE NULL,
  data_vencimento DATE NULL, valor DECIMAL(12,2), valor_aberto DECIMAL(12,2),
  valor_recebido DECIMAL(12,2), status CHAR(1), nn_boleto VARCHAR(30), linha_digitavel VARCHAR(60),
  pagamento_data DATE NULL, id_carteira_cobranca INT, filial_id INT, obs VARCHAR(200),
  liberado CHAR(1) DEFAULT 'S'
);
CREATE TABLE su_oss_assunto (
  id INT PRIMARY KEY, assunto VARCHAR(80), ativo CHAR(1) DEFAULT 'S'
);
CREATE TABLE su_ticket (
  id INT PRIMARY KEY, protocolo VARCHAR(20), id_cliente INT, id_assunto INT, id_contrato INT,
  id_login INT, titulo VARCHAR(200), menssagem TEXT, su_status VARCHAR(2), prioridade CHAR(1),
  id_ticket_setor INT, data_criacao DATETIME NULL, id_filial INT
);
CREATE TABLE su_mensagens (
  id INT PRIMARY KEY, id_ticket INT, mensagem TEXT, data DATETIME NULL, id_operador INT NULL,
  visibilidade_mensagens CHAR(2) DEFAULT 'PU'
);
CREATE TABLE su_oss_chamado (
  id INT PRIMARY KEY, protocolo VARCHAR(20), id_ticket INT NULL, id_cliente INT, id_contrato_kit INT NULL,
  id_login INT NULL, id_assunto INT, setor INT NULL, id_tecnico INT NULL, status VARCHAR(3), prioridade CHAR(1),
  mensagem TEXT, endereco VARCHAR(300), data_abertura DATETIME NULL, data_agenda DATETIME NULL,
  data_fechamento DATETIME NULL, mensagem_resposta TEXT, id_filial INT
);
CREATE TABLE usuarios (
  id INT PRIMARY KEY, nome VARCHAR(100), email VARCHAR(200), login VARCHAR(100), status CHAR(1) DEFAULT 'A'
);
