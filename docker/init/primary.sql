-- Runs once on each primary's first start. The users match
-- docker/topology.yaml; they replicate to the replica with everything else.
CREATE DATABASE IF NOT EXISTS scalelab;
CREATE DATABASE IF NOT EXISTS scalelab_meta;
CREATE USER 'scalelab'@'%' IDENTIFIED BY 'scalelab';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, TRIGGER, REFERENCES, REPLICATION CLIENT ON *.* TO 'scalelab'@'%';
CREATE USER 'scalelab_admin'@'%' IDENTIFIED BY 'scalelab-admin';
GRANT ALL PRIVILEGES ON *.* TO 'scalelab_admin'@'%' WITH GRANT OPTION;
CREATE USER 'scalelab_repl'@'%' IDENTIFIED BY 'scalelab-repl';
GRANT REPLICATION SLAVE ON *.* TO 'scalelab_repl'@'%';
